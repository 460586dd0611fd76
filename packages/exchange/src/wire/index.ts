/**
 * The wire layer: how frames travel between processes (spec/protocol.md). It sits above the
 * exchange and below the transports: codecs that turn batches of frames into transport messages
 * and back, a strict validator that turns any bad input into a typed error, and the handshake's
 * decisions. It knows nothing of sockets.
 *
 * @example
 * import { jsonCodec, msgpackCodec } from '../wire/index.js';
 * const json = jsonCodec({ maxBytes: 1 << 20 });
 * const text = json.encode([{ t: 'ping', n: 7 }]); // '[{"t":"ping","n":7}]'
 * json.decode(text); // [{ t: 'ping', n: 7 }]
 * json.decode('[{"t":"ping","n":-1}]'); // throws ExchangeError BAD_FRAME: frames[0].n: must be an integer …
 * msgpackCodec().decode(msgpackCodec().encode([{ t: 'pong' }])); // [{ t: 'pong' }]
 */
export { jsonCodec } from './json.js';
export { msgpackCodec, msgpackCompactCodec } from './msgpack.js';
export { validateBatch } from './validate.js';
export { encodeBatches } from './batches.js';
export {
  CODECS,
  acceptCodec,
  acknowledgements,
  chooseCodec,
  createCodec,
  heartbeatInterval,
  peerLimits,
} from './handshake.js';
export {
  DEFAULT_HEARTBEAT,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_FRAMES,
  MAX_AGENT_LENGTH,
  MAX_CODECS,
  MAX_CODE_LENGTH,
  MAX_HEADERS,
  MAX_HEARTBEAT,
  MAX_ID_LENGTH,
  MAX_TRACE,
  MIN_MAX_BYTES,
  PROTOCOL_VERSION,
  resolveLimits,
} from './limits.js';

export type { Codec, CodecInit, CodecName } from './codec.js';
export type { AckFrame, WireFrame, WireHello } from './frames.js';
export type { DecodeLimits, Limits } from './limits.js';
