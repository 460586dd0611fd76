/**
 * Typed names: a map from message names to what they carry, checked at compile time over the
 * one runtime `Exchange` (these are types only; nothing here exists at run time).
 *
 * @example
 * interface Names {
 *   'users.list': { value: { limit: number }; reply: string[] };
 *   'orders.created': { value: { id: string } };
 * }
 * const ex = exchange<Names>({ id: 'app' });
 * ex.handle('users.list', (msg) => users.slice(0, msg.value.limit)); // must return string[]
 * const names = await ex.request('users.list', { limit: 10 }); // string[]
 * ex.send('orders.created', { id: 42 }); // compile error: id is a string
 *
 * Names not in the map, and patterns with `*` or `>`, are allowed and carry `unknown` (a
 * pattern may match names of several types, or names another team owns).
 */
import type { Envelope } from './envelope.js';
import type {
  ConnectOptions,
  Exchange,
  ExchangeInit,
  HandlerContext,
  RequestOptions,
  SendOptions,
} from './exchange.js';
import type { Frame, Link } from './link.js';
import type { ObserveOptions, Observation } from './observe.js';
import type { Peer } from './peer.js';

/** What one name carries: `value` (absent: none) and, for a request, `reply` (absent: unknown). */
export interface NameSpec {
  value?: unknown;
  reply?: unknown;
}

/**
 * The constraint on a name map `N`: every entry is a `NameSpec`. Written over `keyof N` so an
 * `interface` (which has no index signature) qualifies.
 */
export type NameMap<N> = { [K in keyof N]: NameSpec };

/** The value type of `TName` in `N`: `unknown` for a name not in the map or a pattern. */
export type ValueOf<N, TName extends string> = TName extends keyof N
  ? 'value' extends keyof N[TName]
    ? N[TName]['value' & keyof N[TName]]
    : undefined
  : unknown;

/** The reply type of `TName` in `N`: `unknown` when the map gives none. */
export type ReplyOf<N, TName extends string> = TName extends keyof N
  ? 'reply' extends keyof N[TName]
    ? N[TName]['reply' & keyof N[TName]]
    : unknown
  : unknown;

/** The arguments after the name: the value is optional only when it may be `undefined`. */
type ValueArgs<V, O> = undefined extends V ? [value?: V, options?: O] : [value: V, options?: O];

/** A name of `N`, or any other string (editors still suggest the map's names). */
type NameOf<N> = (keyof N & string) | (string & {});

/** A handler of `TName`: gets its value, must return (or resolve with) its reply. */
export type TypedHandler<N, TName extends string> = (
  msg: Envelope<ValueOf<N, TName>>,
  ctx: TypedContext<N>,
) => ReplyOf<N, TName> | PromiseLike<ReplyOf<N, TName>>;

/** An observer of `TName`. */
export type TypedObserver<N, TName extends string> = (msg: Envelope<ValueOf<N, TName>>) => void;

/** `HandlerContext` with typed `send` and `request` (the rest as it is). */
export interface TypedContext<N> extends Omit<HandlerContext, 'send' | 'request'> {
  send<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, SendOptions>
  ): void;
  request<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, RequestOptions>
  ): Promise<ReplyOf<N, TName>>;
  /** Uncallable (`name: never`): keeps this assignable to `HandlerContext` (its `request<R>`). */
  request<R>(name: never, value?: unknown, options?: RequestOptions): Promise<R>;
}

/**
 * `ExchangeInit` whose `handlers` are typed by name. It takes only the map's names (an object
 * type cannot give listed keys their own types and every other key `unknown`); register
 * patterns and other names with `ex.handle`.
 */
export type TypedExchangeInit<N> = Omit<ExchangeInit, 'handlers'> & {
  handlers?: { [K in keyof N & string]?: TypedHandler<N, K> };
};

/** A `Peer` whose `send`, `request` and `on` are typed by `N`. */
export interface TypedPeer<N> extends Peer {
  /** @internal */
  send(frame: Frame): boolean;
  send<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, SendOptions>
  ): Envelope<ValueOf<N, TName>>;
  request<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, RequestOptions>
  ): Promise<ReplyOf<N, TName>>;
  /** Uncallable (`name: never`): keeps this assignable to `Peer` (its `request<R>`). */
  request<R>(name: never, value?: unknown, options?: RequestOptions): Promise<R>;
  on<TName extends NameOf<N>>(pattern: TName, fn: TypedObserver<N, TName>): () => void;
}

/**
 * The `Exchange` typed by a name map `N` (what `exchange<N>(init)` returns). It extends the class,
 * so it goes wherever an `Exchange` does (`connect({ exchange })`, helpers taking `Exchange`).
 */
export interface TypedExchange<N> extends Exchange {
  handle<TName extends NameOf<N>>(pattern: TName, fn: TypedHandler<N, TName>): () => void;
  on<TName extends NameOf<N>>(
    pattern: TName,
    fn: TypedObserver<N, TName>,
    options?: { peer?: string },
  ): () => void;
  observe<TName extends NameOf<N>>(
    pattern: TName,
    options?: ObserveOptions,
  ): Observation<ValueOf<N, TName>>;
  send<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, SendOptions>
  ): Envelope<ValueOf<N, TName>>;
  broadcast<TName extends NameOf<N>>(
    name: TName,
    ...args: undefined extends ValueOf<N, TName>
      ? [value?: ValueOf<N, TName>]
      : [value: ValueOf<N, TName>]
  ): Envelope<ValueOf<N, TName>>;
  request<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, RequestOptions>
  ): Promise<ReplyOf<N, TName>>;
  /** Uncallable (`name: never`): keeps this assignable to `Exchange` (its `request<R>`). */
  request<R>(name: never, value?: unknown, options?: RequestOptions): Promise<R>;
  requestMessage<TName extends NameOf<N>>(
    name: TName,
    ...args: ValueArgs<ValueOf<N, TName>, RequestOptions>
  ): Promise<Envelope<ReplyOf<N, TName>>>;
  connect(options: ConnectOptions): Promise<TypedPeer<N>>;
  attach(link: Link): Promise<TypedPeer<N>>;
  peer(id: string): TypedPeer<N> | undefined;
}

/** What `exchange<N>(init)` returns: the plain `Exchange` without a name map, else typed. */
export type ExchangeFor<N> = [N] extends [never] ? Exchange : TypedExchange<N>;

/** What `exchange<N>(init)` takes: `ExchangeInit`, with typed `handlers` given a name map. */
export type ExchangeInitFor<N> = [N] extends [never] ? ExchangeInit : TypedExchangeInit<N>;
