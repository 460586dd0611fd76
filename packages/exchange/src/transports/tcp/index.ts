/**
 * `exchange/tcp`: the TCP transport (newline-delimited JSON). Importing `exchange` registers it
 * already (loaded on first use) as `tcp`; this entry is for using its pieces directly.
 *
 * @example
 * import { exchange } from 'exchange';
 * const hub = exchange({ id: 'hub', handlers: { 'time.now': () => Date.now() } });
 * const { port } = await hub.listen({ transport: 'tcp', port: 0 });
 * const app = exchange({ id: 'app' });
 * await app.connect({ transport: 'tcp', host: '127.0.0.1', port: port! });
 * await app.request('time.now'); // a number, from the hub
 */
export { connect, listen, tcpTransport } from './node.js';

export type { TcpConnectOptions, TcpListenOptions, TcpReconnectPolicy } from './node.js';
