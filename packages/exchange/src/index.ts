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
 */
import { Exchange, connectors, type ExchangeInit } from './exchange/exchange.js';
import { localLinkPair } from './transports/local/local.js';

connectors.local = () => localLinkPair();

/** Create an exchange. */
export function exchange(init: ExchangeInit): Exchange {
  return new Exchange(init);
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
export type { Envelope, Hop, EnvelopeKind, FailoverPolicy } from './exchange/envelope.js';
export type { Peer } from './exchange/peer.js';
export type { Link, Frame, Advert, LinkState } from './exchange/link.js';
export type { ErrorCode, WireError } from './exchange/errors.js';
