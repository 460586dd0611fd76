/**
 * What every wire transport shares: the framed link (handshake, coalescing, backpressure,
 * heartbeats, close) over a carrier of whole messages. A transport is a carrier plus dialling
 * or accepting.
 */
export { FramedLink, type FramedLinkInit } from './framed-link.js';
export { connectClient, type ClientInit, type ReconnectPolicy } from './reconnecting-client.js';
export type { Carrier } from './carrier.js';
export { linkOptions, type LinkOptionName } from './link-options.js';
