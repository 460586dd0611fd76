/**
 * Received envelopes as bytes, for the message log (EnvelopeBytes): a codec that can read an
 * envelope again (msgpack) notes where each lies in the transport message as it decodes, and the
 * link hands that range on with the frame. One set of spans serves every link: a batch is
 * decoded and handed on synchronously, so the spans belong to the link handing on its batch. A
 * link that decodes while another is still handing on (a carrier that delivers synchronously)
 * goes without, and its envelopes are logged as objects.
 */
import type { EnvelopeBytes } from '../exchange/index.js';
import type { Codec, WireFrame } from '../wire/index.js';

const EMPTY = new Uint8Array(0);
const spans: number[] = [];
const bytes: EnvelopeBytes = { data: EMPTY, start: 0, end: 0, read: () => ({}) as never };
/** The link whose batch the spans describe, while it hands the frames on. */
let owner: object | undefined;

/**
 * Decode a transport message, noting its envelopes' spans for `link` when the codec can.
 * Call `handedOn(link)` once the frames have been handed on (in a `finally`).
 */
export function decodeNoting(link: object, codec: Codec, data: string | Uint8Array): WireFrame[] {
  const read = codec.readEnvelope;
  if (owner !== undefined || read === undefined || typeof data === 'string')
    return codec.decode(data);
  const frames = codec.decode(data, spans);
  owner = link;
  bytes.data = data;
  bytes.read = read;
  return frames;
}

/** The bytes of frame i's envelope in `link`'s batch, or undefined (reused: valid for the call). */
export function envelopeBytes(link: object, i: number): EnvelopeBytes | undefined {
  if (owner !== link || !(spans[2 * i] >= 0)) return undefined;
  bytes.start = spans[2 * i];
  bytes.end = spans[2 * i + 1];
  return bytes;
}

/** `link` has handed its batch on: the spans are free, and its message is not kept. */
export function handedOn(link: object): void {
  if (owner !== link) return;
  owner = undefined;
  bytes.data = EMPTY;
}
