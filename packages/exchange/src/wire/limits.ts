/**
 * The protocol's numbers (spec/protocol.md, "Limits"). `maxBytes` and `maxFrames` are per
 * connection: each side may announce its own in its hello. The others are fixed by the protocol
 * version, so that every conforming sender knows what every receiver accepts.
 */

/** The wire protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** Largest transport message a receiver accepts unless its hello says otherwise: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1_048_576;
/** Most frames in one transport message unless the receiver's hello says otherwise. */
export const DEFAULT_MAX_FRAMES = 1024;
/** The smallest `maxBytes` a hello may announce: every hello must fit. */
export const MIN_MAX_BYTES = 65_536;
/** Heartbeat interval when a hello does not propose one, in ms. */
export const DEFAULT_HEARTBEAT = 15_000;
/** Largest heartbeat interval a hello may propose (setTimeout's limit), in ms. */
export const MAX_HEARTBEAT = 2_147_483_647;

/** Most hops in an envelope's trace. */
export const MAX_TRACE = 256;
/** Most entries in an envelope's headers. */
export const MAX_HEADERS = 64;
/** Longest message id (`id`, `cause`, `corr`) or balance `key`, in characters. */
export const MAX_ID_LENGTH = 256;
/** Longest error code, in characters. */
export const MAX_CODE_LENGTH = 64;
/** Most codecs a hello may offer. */
export const MAX_CODECS = 8;
/** Longest `agent` string in a hello, in characters. */
export const MAX_AGENT_LENGTH = 256;

/** Exchange ids: 1–64 ASCII letters, digits, `_` or `-` (as the exchange itself requires). */
export const EXCHANGE_ID = /^[\w-]{1,64}$/;
/** Codec names: 1–32 lowercase letters, digits or `-`. */
export const CODEC_NAME = /^[a-z0-9-]{1,32}$/;

/** What a receiver accepts per transport message. */
export interface DecodeLimits {
  /** Largest transport message, in bytes (UTF-8 for JSON text). @default 1048576 */
  maxBytes?: number;
  /** Most frames per transport message. @default 1024 */
  maxFrames?: number;
}

/** `DecodeLimits` with every field set. */
export type Limits = Required<DecodeLimits>;

/**
 * Fill in the defaults and check the values.
 * @param init - the limits to use; missing fields get the defaults.
 * @throws {RangeError} if a limit is not a positive integer.
 */
export function resolveLimits(init: DecodeLimits = {}): Limits {
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFrames = init.maxFrames ?? DEFAULT_MAX_FRAMES;
  for (const [name, v] of [
    ['maxBytes', maxBytes],
    ['maxFrames', maxFrames],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  return { maxBytes, maxFrames };
}
