/**
 * The MessagePack codec (optional; chosen per connection in the handshake): a batch is a
 * MessagePack array of frames, each a map, holding JSON values only (spec/protocol.md, "Values").
 * Its reader and writer (msgpack-read.ts, msgpack-write.ts) know only that data model, so each
 * checks values as it goes: a batch is read in one pass, then validated, and written in one pass.
 * Plain JavaScript, no Node built-ins: browsers run it too.
 */
import { ExchangeError, type Envelope } from '../exchange/index.js';
import { checkBytes, type Codec, type CodecInit } from './codec.js';
import type { WireFrame } from './frames.js';
import { encodeJson } from './json.js';
import { resolveLimits } from './limits.js';
import { readBatch, readCompactEnvelopeBytes, readEnvelopeBytes } from './msgpack-read.js';
import { NOT_PLAIN, writeBatch, writeEnvelopeBytes } from './msgpack-write.js';
import { badFrame } from './problems.js';
import { validateBatch } from './validate.js';

/**
 * A MessagePack codec. `encode` returns bytes; `decode` takes bytes (text is a BAD_FRAME).
 * @param init - the limits on what it decodes.
 * @example
 * const codec = msgpackCodec();
 * const bytes = codec.encode([{ t: 'ping', n: 1 }]); // Uint8Array 91 82 a1 74 a4 70 69 6e 67 a1 6e 01
 * codec.decode(bytes); // [{ t: 'ping', n: 1 }]
 */
export function msgpackCodec(init: CodecInit = {}): Codec {
  return makeCodec('msgpack', false, init);
}

/**
 * The `msgpack-compact` codec (spec/protocol.md §11.3): MessagePack whose `msg` frames are
 * arrays, `[mode, [present, ...fields]]`, with no keys to write or read. Other frames are as in
 * `msgpack`. About a quarter fewer bytes per envelope, and faster to decode.
 * @param init - the limits on what it decodes.
 */
export function msgpackCompactCodec(init: CodecInit = {}): Codec {
  return makeCodec('msgpack-compact', true, init);
}

function makeCodec(name: 'msgpack' | 'msgpack-compact', compact: boolean, init: CodecInit): Codec {
  const limits = resolveLimits(init);
  return {
    name,
    binary: true,
    encode: (frames) => encodeMsgpack(frames, compact),
    decode(data, spans) {
      if (typeof data === 'string') throw badFrame(-1, '', `must be binary for ${name}, got text`);
      checkBytes(data.byteLength, limits.maxBytes);
      return validateBatch(readBatch(data, spans, compact), limits);
    },
    readEnvelope: (compact ? readCompactEnvelopeBytes : readEnvelopeBytes) as (
      bytes: Uint8Array,
    ) => Envelope,
    writeEnvelope: compact ? writeCompactLogged : writeMapLogged,
  };
}

/**
 * An envelope's bytes for the message log, or undefined where it holds values a batch would
 * write only after converting them (the log then keeps the envelope itself). One function per
 * form, shared by every codec of that form: the exchange knows two links' bytes alike by it.
 */
const writeCompactLogged = (env: Envelope) => logged(env, true);
const writeMapLogged = (env: Envelope) => logged(env, false);

function logged(env: Envelope, compact: boolean): Uint8Array | undefined {
  try {
    return writeEnvelopeBytes(env, compact);
  } catch {
    return undefined;
  }
}

/**
 * Encode a batch as MessagePack. A batch holding anything but plain JSON values goes through
 * JSON.stringify first, so it decodes to what the JSON codec would have carried.
 */
function encodeMsgpack(frames: readonly WireFrame[], compact: boolean): Uint8Array {
  try {
    return writeBatch(frames, compact);
  } catch (e) {
    if (e !== NOT_PLAIN) throw cannotEncode(e);
  }
  const plain = JSON.parse(encodeJson(frames)) as unknown[]; // BAD_MESSAGE for a BigInt or a cycle
  try {
    return writeBatch(plain, compact);
  } catch (e) {
    throw cannotEncode(e === NOT_PLAIN ? new Error('a value is nested too deeply') : e);
  }
}

function cannotEncode(e: unknown): ExchangeError {
  const why = e instanceof Error ? e.message : String(e);
  return new ExchangeError('BAD_MESSAGE', `cannot encode the frames as MessagePack: ${why}`, {
    cause: e,
  });
}
