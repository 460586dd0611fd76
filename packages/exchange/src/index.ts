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
import { Exchange, connectors, type ExchangeInit } from './exchange/exchange.js';
import type { ExchangeFor, ExchangeInitFor, NameMap } from './exchange/typed.js';
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

/**
 * Create an exchange.
 * @typeParam N - optional name map, `{ [name]: { value?: V; reply?: R } }`: with it, `send`,
 *   `request`, `handle`, `on` and `observe` check values and replies of the names it lists
 *   (a `TypedExchange<N>`); without it, the plain `Exchange`, where values are `unknown`.
 * @param init - the exchange's id, handlers and policies.
 * @returns the exchange (one runtime class either way; the map costs nothing at run time).
 * @throws {InvalidNameError} if `init.id` or a handler's pattern is not valid.
 */
export function exchange<N extends NameMap<N> = never>(
  init: NoInfer<ExchangeInitFor<N>>,
): ExchangeFor<N> {
  return new Exchange(init as ExchangeInit) as ExchangeFor<N>;
}

export { Exchange } from './exchange/exchange.js';
export {
  ExchangeError,
  NoRouteError,
  TimeoutError,
  RemoteError,
  CancelledError,
  InvalidNameError,
  isExchangeError,
  toWireError,
  fromWireError,
} from './exchange/errors.js';
export { validateName, validatePattern, matches, SYSTEM_PREFIX } from './exchange/names.js';
export { localLinkPair } from './transports/local/local.js';

export type {
  ExchangeInit,
  MessageHandler,
  MessageObserver,
  HandlerContext,
  SendOptions,
  RequestOptions,
  ConnectOptions,
  BalanceStrategy,
} from './exchange/exchange.js';
export type { ObserveOptions, Observation, OverflowPolicy } from './exchange/observe.js';
export type {
  NameSpec,
  NameMap,
  ValueOf,
  ReplyOf,
  TypedExchange,
  TypedExchangeInit,
  TypedPeer,
  TypedContext,
  TypedHandler,
  TypedObserver,
  ExchangeFor,
  ExchangeInitFor,
} from './exchange/typed.js';
export type { Envelope, Hop, EnvelopeKind, FailoverPolicy } from './exchange/envelope.js';
export type { Peer } from './exchange/peer.js';
export type { Link, Frame, Advert, LinkState } from './exchange/link.js';
export { registerTransport } from './exchange/transports.js';
export type { Transport, Listener, ListenOptions } from './exchange/transports.js';
export type { WebSocketConnectOptions, ReconnectPolicy } from './transports/ws/reconnect.js';
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
export type { HttpConnectOptions, HttpReconnectPolicy } from './transports/http/client.js';
export type { ErrorCode, WireError } from './exchange/errors.js';

// ---- shared state and `why` (docs/state.md) ----------------------------------------------------
export { formatWhy } from './exchange/why.js';
export type { StateWhy, StateCause, StateRef, WhyTransaction, WhyTrigger } from './exchange/why.js';
