/**
 * The exchange layer's surface for the layers above it (transports, security, stores). The
 * package's public entry is `src/index.ts`.
 */
export { Exchange, connectors } from './exchange.js';
export { MODE_HANDLER, MODE_OBSERVE } from './link.js';
export type {
  Advert,
  EnvelopeBytes,
  EnvelopeCodec,
  Frame,
  HelloFrame,
  Link,
  LinkState,
} from './link.js';
export { ENVELOPE_FIELDS, cloneEnvelope } from './envelope.js';
export type { Envelope, Hop } from './envelope.js';
// For the wire codecs (src/wire), which validate frames with the exchange's own rules.
export { ExchangeError, InvalidNameError, toWireError } from './errors.js';
export type { ErrorCode, WireError } from './errors.js';
export { isValidName, isValidPattern, validateName, validatePattern } from './names.js';
// For transports: the registry they join, and what they return.
export { registerTransport, findTransport } from './transports.js';
export type {
  Transport,
  Listener,
  ListenOptions,
  ConnectOptionsMap,
  ListenOptionsMap,
} from './transports.js';
