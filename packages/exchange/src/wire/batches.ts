/**
 * The sending half of coalescing (spec/protocol.md, "Batches"): the frames queued for a peer in
 * one turn go out as few transport messages as its limits allow, in order.
 */
import type { Codec } from './codec.js';
import { textOver } from './codec.js';
import type { WireFrame } from './frames.js';
import type { Limits } from './limits.js';

/**
 * Encode `frames` as transport messages of at most `limits.maxFrames` frames and
 * `limits.maxBytes` bytes, keeping their order, and hand each to `write`. A batch over the byte
 * limit is split in two until it fits; a frame over the limit on its own is left out and handed
 * to `onTooLarge` (the caller fails that message with TOO_LARGE), and the others still go.
 * Nothing is written if it throws: a batch that needs several messages is encoded whole first.
 * (The usual batch fits one message: it is written with no array made, as the hot path wants.)
 * @param codec - the connection's codec.
 * @param frames - the frames queued for the peer, in order.
 * @param limits - the peer's limits (see `peerLimits`).
 * @param onTooLarge - called with each frame that cannot be sent, and its encoded size.
 * @param write - called with each transport message, in order.
 * @throws {ExchangeError} `BAD_MESSAGE` from the codec if a value cannot be encoded at all.
 */
export function encodeBatches<F extends WireFrame>(
  codec: Codec,
  frames: readonly F[],
  limits: Limits,
  onTooLarge: (frame: F, bytes: number) => void,
  write: (data: string | Uint8Array) => void,
): void {
  const out: (string | Uint8Array)[] = [];
  if (frames.length <= limits.maxFrames) {
    const data = codec.encode(frames);
    const over = overLimit(data, limits.maxBytes);
    if (over === 0) return write(data);
    if (frames.length === 1) return onTooLarge(frames[0], over);
    halve(codec, frames, limits.maxBytes, out, onTooLarge);
  } else {
    for (let start = 0; start < frames.length; start += limits.maxFrames) {
      fit(codec, frames.slice(start, start + limits.maxFrames), limits.maxBytes, out, onTooLarge);
    }
  }
  for (const data of out) write(data);
}

function fit<F extends WireFrame>(
  codec: Codec,
  frames: readonly F[],
  maxBytes: number,
  out: (string | Uint8Array)[],
  onTooLarge: (frame: F, bytes: number) => void,
): void {
  const data = codec.encode(frames);
  const over = overLimit(data, maxBytes);
  if (over === 0) return void out.push(data);
  if (frames.length === 1) return onTooLarge(frames[0], over);
  halve(codec, frames, maxBytes, out, onTooLarge);
}

function halve<F extends WireFrame>(
  codec: Codec,
  frames: readonly F[],
  maxBytes: number,
  out: (string | Uint8Array)[],
  onTooLarge: (frame: F, bytes: number) => void,
): void {
  const half = frames.length >> 1;
  fit(codec, frames.slice(0, half), maxBytes, out, onTooLarge);
  fit(codec, frames.slice(half), maxBytes, out, onTooLarge);
}

/** 0 if `data` fits in `max` bytes, else its size (as far as it was counted). */
const overLimit = (data: string | Uint8Array, max: number) =>
  typeof data === 'string' ? textOver(data, max) : data.byteLength > max ? data.byteLength : 0;
