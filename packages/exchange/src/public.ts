/**
 * What the Node entry (`index.ts`) and the browser entry (`browser.ts`) both export: one list,
 * so the two cannot drift apart. Each entry adds the transports it registers.
 */
import { Exchange, type ExchangeInit } from './exchange/exchange.js';
import type { ExchangeFor, ExchangeInitFor, NameMap } from './exchange/typed.js';

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
export type { HttpConnectOptions, HttpReconnectPolicy } from './transports/http/client.js';
export type { ErrorCode, WireError } from './exchange/errors.js';

// ---- shared state and `why` (docs/state.md) ----------------------------------------------------
export { formatWhy } from './exchange/why.js';
export type { StateWhy, StateCause, StateRef, WhyTransaction, WhyTrigger } from './exchange/why.js';
