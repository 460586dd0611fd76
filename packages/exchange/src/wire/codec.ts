/**
 * The codec contract: a batch of frames to one transport message and back. `decode` is strict:
 * it returns valid frames or throws a typed error, whatever bytes arrive.
 */
import type { Envelope } from '../exchange/index.js';
import type { WireFrame } from './frames.js';
import type { DecodeLimits } from './limits.js';
import { tooLarge } from './problems.js';

/** The codecs of protocol version 1: `json` everyone speaks; `msgpack` and `msgpack-compact` are optional. */
export type CodecName = 'json' | 'msgpack' | 'msgpack-compact';

/** Turns batches of frames into transport messages and back. */
export interface Codec {
  /** Its name in the handshake's `codecs`/`codec` fields. */
  readonly name: CodecName;
  /** True if `encode` returns bytes (a binary WebSocket message), false if text. */
  readonly binary: boolean;
  /**
   * Encode a batch: one transport message. Frames are read, never changed.
   * @throws {ExchangeError} `BAD_MESSAGE` if a value cannot be encoded (a BigInt, a cycle).
   */
  encode(frames: readonly WireFrame[]): string | Uint8Array;
  /**
   * Decode and validate one transport message.
   * @param spans - a codec that has `readEnvelope` notes there where the envelope of each frame
   *   lies in `data`: frame i's is bytes [spans[2i], spans[2i + 1]), or -1 and -1 (no envelope).
   * @throws {ExchangeError} `BAD_FRAME`, `TOO_LARGE`, `INVALID_NAME` or `VERSION_MISMATCH`.
   */
  decode(data: string | Uint8Array, spans?: number[]): WireFrame[];
  /**
   * Read an envelope again from a copy of its bytes (a `spans` range of a message this codec
   * decoded, so already checked). Only codecs that note spans have it: the message log keeps
   * such bytes instead of the envelope's objects.
   */
  readonly readEnvelope?: (bytes: Uint8Array) => Envelope;
  /**
   * An envelope as bytes that `readEnvelope` reads back, for the message log to keep the
   * messages an exchange sends as it keeps those it receives; undefined if the envelope holds
   * values this codec writes only after converting them. Never throws.
   */
  readonly writeEnvelope?: (env: Envelope) => Uint8Array | undefined;
}

/** Options of a codec: the limits it enforces on what it decodes. */
export type CodecInit = DecodeLimits;

/** Throw TOO_LARGE if `bytes` bytes are over `maxBytes`. */
export function checkBytes(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) throw tooLarge(-1, '', 'maxBytes', maxBytes, bytes);
}

/** Throw TOO_LARGE if the UTF-8 form of `s` is over `maxBytes`. */
export function checkTextBytes(s: string, maxBytes: number): void {
  const over = textOver(s, maxBytes);
  if (over > 0) throw tooLarge(-1, '', 'maxBytes', maxBytes, over);
}

/**
 * 0 if `s` takes at most `max` bytes in UTF-8; else a byte count over `max` (its size as far as
 * it was counted). A string of n UTF-16 units takes n to 3n bytes, so most are not counted.
 * @param s - any string.
 * @param max - the limit in bytes.
 */
export function textOver(s: string, max: number): number {
  const n = s.length;
  if (n * 3 <= max) return 0;
  if (n > max) return n;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4; // a surrogate pair is one code point: four bytes
      i++;
    } else bytes += 3;
    if (bytes > max) return bytes;
  }
  return 0;
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
