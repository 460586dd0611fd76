/**
 * The WebSocket transport's entry in the `connect` options map, shared by its Node and browser
 * halves (types only). Listening exists only on Node: `node.ts` adds the `listen` entry.
 */
import type { WebSocketConnectOptions } from './reconnect.js';

declare module '../../exchange/transports.js' {
  interface ConnectOptionsMap {
    websocket: WebSocketConnectOptions;
  }
}
