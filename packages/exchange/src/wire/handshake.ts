/**
 * The handshake's decisions (spec/protocol.md, "Handshake" and "Heartbeats") as pure functions,
 * so that every transport decides the same way.
 *
 * @example
 * // acceptor, on the initiator's hello:
 * const name = chooseCodec(hello.codecs, ['json', 'msgpack']); // 'msgpack' if offered
 * const codec = createCodec(name);
 * const interval = heartbeatInterval(ownHeartbeat, hello.heartbeat); // ms, 0 = off
 */
import type { HelloFrame } from '../exchange/index.js';
import type { Codec, CodecInit, CodecName } from './codec.js';
import { jsonCodec } from './json.js';
import type { Limits } from './limits.js';
import { DEFAULT_HEARTBEAT, DEFAULT_MAX_BYTES, DEFAULT_MAX_FRAMES } from './limits.js';
import { msgpackCodec, msgpackCompactCodec } from './msgpack.js';
import { badFrame } from './problems.js';

/** Every codec this implementation has, in its order of preference. */
export const CODECS: readonly CodecName[] = Object.freeze(['msgpack-compact', 'msgpack', 'json']);

/**
 * The acceptor's choice: the first of the initiator's `codecs` that this side supports, else
 * `json` (which every peer speaks).
 * @param offered - the initiator's hello `codecs`, preferred first; absent means json only.
 * @param supported - what this side (and its transport) can use. @default CODECS
 */
export function chooseCodec(
  offered: readonly string[] | undefined,
  supported: readonly string[] = CODECS,
): CodecName {
  for (const name of offered ?? []) {
    if (supported.includes(name) && isCodecName(name)) return name;
  }
  return 'json';
}

/**
 * The initiator's check of the acceptor's choice: `json`, or one of the codecs it offered.
 * @param offered - the codecs the initiator's hello offered.
 * @param chosen - the acceptor's hello `codec`; absent means json.
 * @throws {ExchangeError} `BAD_FRAME` if the acceptor chose a codec that was not offered.
 */
export function acceptCodec(offered: readonly string[] | undefined, chosen?: string): CodecName {
  if (chosen === undefined || chosen === 'json') return 'json';
  if (isCodecName(chosen) && (offered ?? []).includes(chosen)) return chosen;
  throw badFrame(0, 'codec', `names ${JSON.stringify(chosen)}, which was not offered`);
}

/**
 * A codec by name.
 * @param name - `json`, `msgpack` or `msgpack-compact`.
 * @param init - the limits on what it decodes.
 */
export function createCodec(name: CodecName, init: CodecInit = {}): Codec {
  if (name === 'msgpack-compact') return msgpackCompactCodec(init);
  return name === 'msgpack' ? msgpackCodec(init) : jsonCodec(init);
}

/**
 * The heartbeat interval both sides use: the smaller of the two proposals, where an absent one
 * counts as DEFAULT_HEARTBEAT and 0 means "no preference, do not ask for heartbeats". A side
 * sends a ping after this long without receiving anything, and gives the peer up after twice
 * this long.
 * @param mine - this side's proposal, in ms.
 * @param theirs - the peer's hello `heartbeat`, in ms.
 * @returns the interval in ms; 0 if both sides turned heartbeats off.
 */
export function heartbeatInterval(mine?: number, theirs?: number): number {
  const a = mine ?? DEFAULT_HEARTBEAT;
  const b = theirs ?? DEFAULT_HEARTBEAT;
  if (a === 0 || b === 0) return Math.max(a, b);
  return Math.min(a, b);
}

/**
 * The acknowledgements a connection uses (spec/protocol.md §5.6), from the two hellos' `acks`:
 * they flow toward a side that asked (≥ 1) from a side that announced them (any value).
 * @param mine - this side's hello `acks`; absent: it does not acknowledge.
 * @param theirs - the peer's hello `acks`.
 * @returns `every`: acknowledge the peer's messages at least every this many (0: send no acks);
 *   `acknowledged`: the peer acknowledges this side's messages.
 */
export function acknowledgements(
  mine: number | undefined,
  theirs: number | undefined,
): { every: number; acknowledged: boolean } {
  if (mine === undefined || theirs === undefined) return { every: 0, acknowledged: false };
  return { every: theirs, acknowledged: mine > 0 };
}

/**
 * What this side may send the peer: the limits from its hello, or the defaults.
 * @param hello - the peer's hello.
 */
export function peerLimits(hello: HelloFrame): Limits {
  return {
    maxBytes: hello.maxBytes ?? DEFAULT_MAX_BYTES,
    maxFrames: hello.maxFrames ?? DEFAULT_MAX_FRAMES,
  };
}

function isCodecName(name: string): name is CodecName {
  return (CODECS as readonly string[]).includes(name);
}
