/**
 * The MessagePack codec (optional; chosen per connection in the handshake): a batch is a
 * MessagePack array of frames, each a map, holding JSON values only (spec/protocol.md, "Values").
 * Built on msgpackr, which runs in browsers too: its `browser` export is plain JavaScript (the
 * Node entry only adds an optional native string decoder).
 */
import { Packr, Unpackr } from 'msgpackr';
import type { Options } from 'msgpackr';
import { ExchangeError } from '../exchange/index.js';
import type { Frame } from '../exchange/index.js';
import { checkBytes, type Codec, type CodecInit } from './codec.js';
import { encodeJson } from './json.js';
import { hasProtoKey, isEncodable, isJsonValue, jsonProblem } from './json-value.js';
import { resolveLimits } from './limits.js';
import { badFrame } from './problems.js';
import { validateBatch } from './validate.js';

// Plain MessagePack: no msgpackr records or structured-clone references (which can build cycles),
// 64-bit integers as numbers (as JSON.parse reads big numbers), `undefined` properties left out.
// `skipValues` is in msgpackr's README and code but not in its type definitions (2.1.4).
const PACK: Options & { skipValues: unknown[] } = { useRecords: false, skipValues: [undefined] };
const packr = new Packr(PACK);
const DECODE = { useRecords: false, int64AsType: 'number', structuredClone: false } as const;
const unpackr = new Unpackr({ ...DECODE, mapsAsObjects: true });
/** For the rare message that mentions `__proto__`: maps as `Map`s, so the key survives. */
const mapUnpackr = new Unpackr({ ...DECODE, mapsAsObjects: false });

/**
 * A MessagePack codec. `encode` returns bytes; `decode` takes bytes (text is a BAD_FRAME).
 * @param init - the limits on what it decodes.
 * @example
 * const codec = msgpackCodec();
 * const bytes = codec.encode([{ t: 'ping', n: 1 }]); // Uint8Array 91 82 a1 74 a4 70 69 6e 67 a1 6e 01
 * codec.decode(bytes); // [{ t: 'ping', n: 1 }]
 */
export function msgpackCodec(init: CodecInit = {}): Codec {
  const limits = resolveLimits(init);
  return {
    name: 'msgpack',
    binary: true,
    encode: encodeMsgpack,
    decode(data) {
      if (typeof data === 'string') throw badFrame(-1, '', 'must be binary for msgpack, got text');
      checkBytes(data.byteLength, limits.maxBytes);
      const batch = unpack(data);
      if (!isJsonValue(batch)) throw badFrame(-1, '', nonJson(batch));
      return validateBatch(batch, limits);
    },
  };
}

/**
 * Encode a batch as MessagePack. A frame holding anything but JSON values goes through
 * JSON.stringify first, so it decodes to what the JSON codec would have carried.
 */
function encodeMsgpack(frames: readonly Frame[]): Uint8Array {
  const plain = isEncodable(frames, 0) ? frames : frames.map(asJson);
  try {
    return packr.pack(plain);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ExchangeError('BAD_MESSAGE', `cannot encode the frames as MessagePack: ${why}`, {
      cause: e,
    });
  }
}

function asJson(frame: Frame): Frame {
  return isEncodable(frame, 1) ? frame : (JSON.parse(encodeJson([frame])) as Frame[])[0];
}

function unpack(bytes: Uint8Array): unknown {
  // msgpackr renames a `__proto__` key to `__proto_`; look for the key in the rare message
  // that holds those bytes at all, so that it is rejected as in JSON.
  if (mentionsProto(bytes) && hasProtoKey(unpackWith(mapUnpackr, bytes)))
    throw badFrame(-1, '', 'has a __proto__ key (prototype pollution)');
  return unpackWith(unpackr, bytes);
}

function unpackWith(u: Unpackr, bytes: Uint8Array): unknown {
  try {
    return u.unpack(bytes) as unknown;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw badFrame(-1, '', `is not valid MessagePack: ${why}`, e);
  }
}

/** `__proto__` in UTF-8, as it appears in MessagePack (strings are not escaped). */
const PROTO_BYTES = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];

function mentionsProto(bytes: Uint8Array): boolean {
  const last = bytes.length - PROTO_BYTES.length;
  for (let i = bytes.indexOf(0x5f); i !== -1 && i <= last; i = bytes.indexOf(0x5f, i + 1)) {
    let j = 1;
    while (j < PROTO_BYTES.length && bytes[i + j] === PROTO_BYTES[j]) j++;
    if (j === PROTO_BYTES.length) return true;
  }
  return false;
}

/** The message for a batch holding something JSON cannot (binary, a timestamp, undefined, …). */
function nonJson(batch: unknown): string {
  const problem = jsonProblem(batch, 'frames') ?? 'not a JSON value';
  return `holds a value outside the JSON data model: ${problem}`;
}
