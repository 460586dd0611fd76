import { createCodec, type Codec, type CodecName } from '../wire/index.js';

/**
 * Codecs keep no state between batches (only their limits), so links with the same codec and
 * limits share one: a hub's thousands of links would otherwise hold a codec and its closures
 * each. Bound: MAX_SHARED codecs; past it (links with ever-new limits) a link gets its own.
 */
const MAX_SHARED = 32;
const shared = new Map<string, Codec>();

/** The codec `name` for these limits, shared with the links that use the same. */
export function sharedCodec(name: CodecName, maxBytes: number, maxFrames: number): Codec {
  const key = `${name} ${maxBytes} ${maxFrames}`;
  let codec = shared.get(key);
  if (codec === undefined) {
    codec = createCodec(name, { maxBytes, maxFrames });
    if (shared.size < MAX_SHARED) shared.set(key, codec);
  }
  return codec;
}
