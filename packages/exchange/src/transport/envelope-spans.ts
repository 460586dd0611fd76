/**
 * Received envelopes as bytes, for the message log (EnvelopeBytes): a codec that can read an
 * envelope again (msgpack, msgpack-compact) notes where each lies in the transport message as it decodes, and the
 * link hands that range on with the frame. One set of spans serves every link: a batch is
 * decoded and handed on synchronously, so the spans belong to the batch being handed on, known
 * by its frames array. A batch decoded while another is still being handed on (a carrier that
 * delivers synchronously, to the same link or another) goes without, and its envelopes are
 * logged as objects.
 */
import type { EnvelopeBytes } from '../exchange/index.js';
import { DEFAULT_MAX_FRAMES, type Codec, type WireFrame } from '../wire/index.js';

const EMPTY = new Uint8Array(0);
const spans: number[] = [];
/** A batch of more frames than this leaves no longer array behind (its frames are refused). */
const KEPT_SPANS = 2 * DEFAULT_MAX_FRAMES;
const bytes: EnvelopeBytes = { data: EMPTY, start: 0, end: 0, read: () => ({}) as never };
/** The batch the spans describe, while it is handed on. */
let noted: WireFrame[] | undefined;

/**
 * Decode a transport message, noting its envelopes' spans when the codec can and no other batch
 * is being handed on. Call `handedOn(frames)` once the frames have been handed on (`finally`).
 */
export function decodeNoting(codec: Codec, data: string | Uint8Array): WireFrame[] {
  const read = codec.readEnvelope;
  if (spans.length > KEPT_SPANS) spans.length = 0;
  if (noted !== undefined || read === undefined || typeof data === 'string')
    return codec.decode(data);
  const frames = codec.decode(data, spans);
  noted = frames;
  bytes.data = data;
  bytes.read = read;
  return frames;
}

/** The bytes of the envelope of `frames[i]`, or undefined (reused: valid for the call). */
export function envelopeBytes(frames: WireFrame[], i: number): EnvelopeBytes | undefined {
  if (noted !== frames || !(spans[2 * i] >= 0)) return undefined;
  bytes.start = spans[2 * i];
  bytes.end = spans[2 * i + 1];
  return bytes;
}

/** `frames` have been handed on: the spans are free, and their message is not kept. */
export function handedOn(frames: WireFrame[]): void {
  if (noted !== frames) return;
  noted = undefined;
  bytes.data = EMPTY;
}
