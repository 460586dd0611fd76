/**
 * `exchange/ws`: the WebSocket transport for Node. Importing `exchange` registers it already
 * (loaded on first use); this entry is for using its pieces directly.
 */
export { connect, listen, websocketTransport } from './node.js';
export type { WebSocketListenOptions } from './node.js';
export type { WebSocketConnectOptions, ReconnectPolicy } from './reconnect.js';
