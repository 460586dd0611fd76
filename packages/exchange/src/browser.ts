/**
 * `exchange` in a browser: the same API as the Node entry, with the WebSocket transport over the
 * browser's native `WebSocket` (connect only: a page cannot listen). Nothing here imports a Node
 * built-in; a transport that needs Node (`tcp`, `ipc`) fails with `UNKNOWN_TRANSPORT`.
 * Bundlers pick this module through the `browser` export condition; `exchange/browser` names it
 * outright. See docs/browser.md.
 *
 * @example
 * import { exchange } from 'exchange';
 * const app = exchange({ id: 'browser' });
 * await app.connect({ transport: 'websocket', url: 'ws://127.0.0.1:4860/' });
 * await app.request('users.list'); // ['ada', 'linus'], from whoever handles it behind the hub
 */
import { Exchange, connectors, type ExchangeInit } from './exchange/exchange.js';
import type { ExchangeFor, ExchangeInitFor, NameMap } from './exchange/typed.js';
import { registerTransport } from './exchange/transports.js';
import { localLinkPair } from './transports/local/local.js';
import { httpTransport } from './transports/http/client.js';
import { browserWebSocketTransport } from './transports/ws/browser.js';

connectors.local = () => localLinkPair();
// Registered outright, not loaded on first use as on Node: it is small, and a lazy import
// would make bundlers split it into a chunk of its own.
registerTransport('websocket', browserWebSocketTransport);
// fetch and Server-Sent Events only: a page can join a hub through HTTP alone.
registerTransport('http', httpTransport);

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

// The export list is the Node entry's (test/exports.test.ts checks they match), less the
// Node-only `WebSocketListenOptions` type.
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
export { registerTransport } from './exchange/transports.js';
export { formatWhy } from './exchange/why.js';

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
export type { Transport, Listener, ListenOptions } from './exchange/transports.js';
export type { WebSocketConnectOptions, ReconnectPolicy } from './transports/ws/reconnect.js';
export type { ErrorCode, WireError } from './exchange/errors.js';
export type { StateWhy, StateCause, StateRef, WhyTransaction, WhyTrigger } from './exchange/why.js';
