/**
 * The WebSocket transport in a browser: the native `WebSocket` (no Node built-ins, no `ws`
 * package). Browsers cannot accept connections, so it only connects.
 */
import type { Link, Transport } from '../../exchange/index.js';
import { connectWebSocket, type WebSocketConnectOptions } from './reconnect.js';
import type { WebSocketLike } from './socket-carrier.js';
export type {} from './options.js'; // the `websocket` entry of ConnectOptionsMap

/**
 * Connect to a WebSocket listener with the browser's `WebSocket`, reconnecting after a loss
 * unless `options.reconnect` is false.
 * @param options - the listener's `url`, codecs, limits and reconnection policy.
 * @returns the link, once the first connection is open.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if the first connection fails.
 */
export function connect(options: WebSocketConnectOptions): Promise<Link> {
  // Looked up on each dial, not at import: a page (or a test) may install its WebSocket later.
  return connectWebSocket((url) => new globalThis.WebSocket(url) as WebSocketLike, options);
}

/** The transport as the browser entry registers it under `websocket` (connect only). */
export const browserWebSocketTransport: Transport = {
  connect: (options) => connect(options as unknown as WebSocketConnectOptions),
};
