/**
 * The JSON codec, which every peer speaks: a batch is a JSON array of frames, as UTF-8 text.
 * Parsing goes through secure-json-parse, so a `__proto__` key or a `constructor` holding a
 * `prototype` anywhere in the text is a BAD_FRAME rather than a polluted object.
 */
import sjson from 'secure-json-parse';
import { ExchangeError } from '../exchange/index.js';
import { checkBytes, checkTextBytes, type Codec, type CodecInit } from './codec.js';
import type { WireFrame } from './frames.js';
import { resolveLimits } from './limits.js';
import { badFrame } from './problems.js';
import { validateBatch } from './validate.js';

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * A JSON codec. `encode` returns a string; `decode` takes a string or UTF-8 bytes.
 * @param init - the limits on what it decodes.
 * @example
 * const codec = jsonCodec();
 * codec.encode([{ t: 'ping', n: 1 }]); // '[{"t":"ping","n":1}]'
 * codec.decode('[{"t":"pong","n":1}]'); // [{ t: 'pong', n: 1 }]
 */
export function jsonCodec(init: CodecInit = {}): Codec {
  const limits = resolveLimits(init);
  // Fatal: malformed UTF-8 is a BAD_FRAME, not text with replacement characters in it.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return {
    name: 'json',
    binary: false,
    encode(frames) {
      return encodeJson(frames);
    },
    decode(data) {
      let text: string;
      if (typeof data === 'string') {
        checkTextBytes(data, limits.maxBytes);
        text = data;
      } else {
        checkBytes(data.byteLength, limits.maxBytes);
        text = toText(utf8, data);
      }
      return validateBatch(parse(text), limits);
    },
  };
}

/** JSON.stringify of a batch, with its TypeError (BigInt, cycle) as a typed error. */
export function encodeJson(frames: readonly WireFrame[]): string {
  try {
    return JSON.stringify(frames);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ExchangeError('BAD_MESSAGE', `cannot encode the frames as JSON: ${why}`, {
      cause: e,
    });
  }
}

function toText(utf8: TextDecoder, data: Uint8Array): string {
  try {
    return utf8.decode(data);
  } catch (e) {
    throw badFrame(-1, '', 'is not valid UTF-8', e);
  }
}

function parse(text: string): unknown {
  try {
    return sjson.parse(text, null, PARSE_OPTIONS) as unknown;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    // secure-json-parse's own SyntaxError says only "forbidden prototype property".
    const problem = why.includes('forbidden prototype')
      ? 'has a __proto__ key or a constructor.prototype (prototype pollution)'
      : `is not valid JSON: ${why}`;
    throw badFrame(-1, '', problem, e);
  }
}
