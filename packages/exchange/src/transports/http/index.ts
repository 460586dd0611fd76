/**
 * `exchange/http`: the HTTP transport's client (fetch and Server-Sent Events, no Node
 * built-ins). Importing `exchange` registers it already (loaded on first use) as `http`; this
 * entry is for using its pieces directly. The hub serves the other side (src/hub/http-link.ts).
 *
 * @example
 * import { exchange } from 'exchange';
 * const worker = exchange({ id: 'worker', handlers: { 'calc.add': (m) => m.value.a + m.value.b } });
 * await worker.connect({ transport: 'http', url: 'http://127.0.0.1:4860/' });
 * // anyone connected to the hub can now ask calc.add, by WebSocket, TCP or curl
 */
export { connect, httpTransport } from './client.js';
export { fetchCarrier } from './fetch-carrier.js';
export { readEvents } from './sse-reader.js';

export type { HttpConnectOptions, HttpReconnectPolicy } from './client.js';
export type { FetchCarrierInit } from './fetch-carrier.js';
