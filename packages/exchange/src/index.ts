/**
 * `exchange`: every component is an exchange of named messages. An exchange handles some names,
 * observes some, emits messages, and routes what it cannot handle to peers that can.
 *
 * @example
 * import { exchange } from 'exchange';
 * const db = exchange({ id: 'db', handlers: { 'users.list': () => ['ada', 'linus'] } });
 * const app = exchange({ id: 'app' });
 * await app.connect({ transport: 'local', exchange: db });
 * await app.request('users.list'); // ['ada', 'linus']
 *
 * Typed names (see `TypedExchange`): `exchange<{ 'users.list': { reply: string[] } }>(init)`.
 */
import { connectors } from './exchange/exchange.js';
import { registerTransport } from './exchange/transports.js';
import { localLinkPair } from './transports/local/local.js';
export type {} from './transports/ws/node.js'; // its ConnectOptionsMap/ListenOptionsMap entries
export type {} from './transports/tcp/node.js';
export type {} from './transports/ipc/node.js';
export type {} from './transports/http/client.js';

connectors.local = () => localLinkPair();
// Transports that need Node load on first use, so an exchange that never listens or dials
// pays nothing for them.
registerTransport(
  'websocket',
  async () => (await import('./transports/ws/node.js')).websocketTransport,
);
registerTransport('tcp', async () => (await import('./transports/tcp/node.js')).tcpTransport);
registerTransport('ipc', async () => (await import('./transports/ipc/node.js')).ipcTransport);
// fetch only, no Node built-ins: small, but loaded on first use like the others.
registerTransport('http', async () => (await import('./transports/http/client.js')).httpTransport);

export * from './public.js';
// Node only: a page cannot listen, and has no TCP or IPC.
export type { WebSocketListenOptions } from './transports/ws/node.js';
export type {
  TcpConnectOptions,
  TcpListenOptions,
  TcpReconnectPolicy,
} from './transports/tcp/node.js';
export type {
  IpcConnectOptions,
  IpcSpawnOptions,
  IpcParentOptions,
} from './transports/ipc/node.js';
