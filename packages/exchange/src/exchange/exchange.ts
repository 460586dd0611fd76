import { IdSource, appendHop, type Envelope, type FailoverPolicy, type Hop } from './envelope.js';
import { advertiseTo, helloAdverts, resetAdvertised, syncPeer } from './adverts.js';
import { Context, isThenable } from './handler-context.js';
import { DropNotices } from './drop-notices.js';
import { HeldMessages } from './held-messages.js';
import { Requests } from './requests.js';
import { mostSpecific, type LocalHandler } from './local-handlers.js';
import {
  CancelledError,
  ExchangeError,
  InvalidNameError,
  NoRouteError,
  TimeoutError,
  toWireError,
  type WireError,
} from './errors.js';
import {
  MODE_HANDLER,
  MODE_OBSERVE,
  type Advert,
  type EnvelopeBytes,
  type EnvelopeCodec,
  type Frame,
  type HelloFrame,
  type Link,
} from './link.js';
import { MessageLog } from './message-log.js';
import { LOG_REQUEST, answerLogRequest } from './log-request.js';
import { NameRoutes, type HandlerCandidate, type NameRoute } from './name-routes.js';
import { isSystemName, validateName, validatePattern } from './names.js';
import { observeMessages, type ObserveOptions, type Observation } from './observe.js';
import { Peer } from './peer.js';
import { RateMeter } from './rates.js';
import {
  findTransport,
  type ConnectOptionsMap,
  type ConnectOptionsOf,
  type ListenOptions,
  type Listener,
} from './transports.js';
import { MAX_HOPS, RouteTable, type RouteChanges } from './routes.js';
import { SeenSet } from './seen.js';
import { PatternTrie } from './trie.js';
import { SharedState } from './state.js';
import type { StateRef, StateWhy } from './why.js';

/** A handler: its return value (or promise) is the reply to a request. */
export type MessageHandler = (msg: Envelope, ctx: HandlerContext) => unknown;
/** An observer gets a copy of every matching message. */
export type MessageObserver = (msg: Envelope) => void;
/** How the router picks among several handlers at the same distance. */
export type BalanceStrategy = 'round-robin' | 'least-outstanding' | 'random' | 'sticky';

export interface SendOptions {
  headers?: Record<string, string>;
  /** Deliver to this exchange only. */
  to?: string;
  /** Sticky-balancing key. */
  key?: string;
  /** The message being handled when this one is emitted (set by handler contexts). */
  cause?: Envelope;
}

export interface RequestOptions extends SendOptions {
  /**
   * Milliseconds to wait for the reply: a finite number >= 0.
   * @default the exchange's `defaultTimeout`
   */
  timeout?: number;
  signal?: AbortSignal;
  /** @default the exchange's `failover` */
  failover?: FailoverPolicy;
}

/** What a handler can do on behalf of the message it handles (which becomes the cause). */
export interface HandlerContext {
  readonly msg: Envelope;
  send(name: string, value?: unknown, options?: SendOptions): void;
  request<R = unknown>(name: string, value?: unknown, options?: RequestOptions): Promise<R>;
  /**
   * Set a static of the exchange's state, with the handled message as the change's cause.
   * @throws {ExchangeError} `UNKNOWN_STATE`; `READ_ONLY_STATE` for a computed or imported name.
   */
  set(name: string, value: unknown): void;
}

export interface ExchangeInit {
  /** This exchange's id: one token of letters, digits, `_` or `-`, unique in the network. */
  id: string;
  handlers?: Record<string, MessageHandler>;
  /** @default 'round-robin' */
  balance?: BalanceStrategy;
  /** @default 'retry' */
  failover?: FailoverPolicy;
  /** Entries in the message log (oldest overwritten). @default 1000 */
  logSize?: number;
  /**
   * Estimated bytes the message log keeps, at least 1024 (oldest evicted); a value over a
   * sixteenth of it is logged without its value (`valueOmitted`). @default 16 MiB
   */
  logMaxBytes?: number;
  /** Message ids remembered for duplicate suppression (oldest forgotten). @default 10000 */
  seenSize?: number;
  /** Request timeout in ms when a request gives none: a finite number >= 0. @default 5000 */
  defaultTimeout?: number;
  /** Shared reactive state: static values and computed functions (`auto`); see docs/state.md. */
  state?: Record<string, unknown>;
  /** State names other exchanges may import. */
  exports?: string[];
  /** Local static name → what it follows: `'<exchange>.<state>'` or `{ exchange, name }`. */
  imports?: Record<string, StateRef | string>;
}

declare module './transports.js' {
  interface ConnectOptionsMap {
    /** In-process: another exchange object in this program. */
    local: { exchange: Exchange };
  }
}

/** How this exchange stands on one link (`attach`, and `connect` for every transport). */
export interface AttachOptions {
  /**
   * Be a leaf on this link: the peer (a hub) tells this exchange none of the routes it learned
   * from its other leaves, and this exchange sends it whatever it cannot deliver itself (its
   * default route). See docs/concepts.md, "Leaves". `connect` makes an exchange a leaf by
   * default when it dials a listener (`websocket`, `tcp`, `http`) while it neither listens nor
   * has a peer; `attach` never does.
   */
  leaf?: boolean;
}

/** `ex.connect` options: `transport` names a registered transport; the rest are its own. */
export type ConnectOptions = {
  [K in keyof ConnectOptionsMap]: ConnectOptionsOf<K> & AttachOptions;
}[keyof ConnectOptionsMap];

/** Options of `ex.on`. */
export interface OnOptions {
  /** Only messages that arrive straight from this neighbour. */
  peer?: string;
  /**
   * Not advertised: only what reaches this exchange anyway (its own system messages, messages
   * routed here for other reasons). For local monitoring that must not draw traffic.
   */
  local?: boolean;
}

interface LocalObserver {
  fn: MessageObserver;
  peer?: string;
}

type Route = NameRoute<MessageHandler, LocalObserver>;

const NO_OPTIONS: SendOptions = Object.freeze({});
/** The log keeps no values of `$exchange.log` answers: copies of itself, nested ever deeper. */
const isNotLogAnswer = (env: Envelope): boolean => env.kind !== 'rep' || env.name !== LOG_REQUEST;
const EMPTY_ADVERTS: Advert[] = [];
const EMPTY_BYTES = new Uint8Array(0);
const RESOLVED = Promise.resolve();
const readNothing = (): Envelope => {
  throw new Error('no bytes to read');
};
const isTimeout = (ms: unknown): ms is number =>
  typeof ms === 'number' && Number.isFinite(ms) && ms >= 0;
const badTimeout = (what: string, ms: unknown) =>
  `${what} must be a finite number of milliseconds >= 0, got ${String(ms)}`;
const BOTH = MODE_HANDLER | MODE_OBSERVE;
/** Names whose routes are cached (see NameRoutes for the overflow policy). */
const ROUTE_CACHE_NAMES = 10_000;

const MAX_PATH = 32;
const INFO = '$exchange.info';
/** Asked of a hub by its leaves: is a handler (or observer) of `name` reachable from there? */
const REACHABLE = '$exchange.reachable';
/** A hub answers at most this many `$exchange.reachable` waits at once; beyond, `false` at once. */
const MAX_REACHABLE_WAITS = 10_000;
/** The longest a hub waits before answering `$exchange.reachable` `false` (ms). */
const MAX_REACHABLE_WAIT_MS = 60_000;
/**
 * Transports whose `connect` dials a listener (a hub): an exchange that neither listens nor has
 * a peer is a leaf there unless told otherwise. In-process and IPC links have no such roles.
 */
const DIALLING_TRANSPORTS: ReadonlySet<string> = new Set(['websocket', 'tcp', 'http']);
const ID_TOKEN = /^[\w-]{1,64}$/;

/**
 * An exchange: handles some names, observes some, emits messages, and routes what it cannot
 * handle to the peer through which a handler or observer is reachable.
 */
export class Exchange {
  readonly id: string;
  readonly log: MessageLog<Envelope>;
  /**
   * `sent`: messages created here; `in`/`out`: messages received from / sent to peers;
   * `dropped`, `duplicates` (suppressed), `unhandled` (nobody in the network took them).
   */
  readonly counters = { sent: 0, in: 0, out: 0, dropped: 0, duplicates: 0, unhandled: 0 };
  private readonly routes = new RouteTable();
  private readonly handlers = new PatternTrie<LocalHandler>();
  private readonly observers = new PatternTrie<LocalObserver>();
  private readonly peers = new Map<string, Peer>();
  /** Peers that are not leaves: they hear every route (split horizon aside). */
  private readonly relayPeers = new Set<Peer>();
  /** Peers that are leaves: they hear only routes not learned from leaves. */
  private readonly leafPeers = new Set<Peer>();
  /** Peers this exchange is a leaf of: its default routes. */
  private upstreams: Peer[] = [];
  /** `$exchange.reachable` questions from leaves still waiting for a route. */
  private reachableWaits = 0;
  /** Requests in flight: made here, and relayed for others. */
  private readonly requests = new Requests({
    resend: (env, from) => {
      this.seen.release(env.id, MODE_HANDLER);
      return env.to !== undefined
        ? this.routeTo(env, undefined)
        : this.dispatch(env, MODE_HANDLER, from) !== 0;
    },
    fail: (env, error) => this.replyError(env, env.trace, error, 'router'),
  });
  private readonly seen: SeenSet;
  private readonly roundRobin = new Map<string, number>();
  private readonly rates = new RateMeter();
  /** Frames links refused, and local handler/observer runs: `send` compares them around a send. */
  private refusals = 0;
  private localDeliveries = 0;
  private readonly listeners = new Set<Listener>();
  /** `reachable()` calls waiting for a route; checked after each batch of route changes. */
  private readonly routeWaiters = new Set<() => void>();
  /** Messages with no route yet while routes settle after a (re)connection. */
  private readonly held = new HeldMessages({
    dispatch: (env, duties, from) => this.dispatch(env, duties, from),
    unhandled: (env) => this.unhandled(env),
    noRoute: (env, from) => this.noRoute(env, from),
  });
  private readonly nameRoutes: NameRoutes<MessageHandler, LocalObserver>;
  /** `$exchange.dropped`, told at once for a reason's first drop, then summarised per second. */
  private readonly dropNotices = new DropNotices((notice) =>
    this.system('$exchange.dropped', notice),
  );
  /** Next hops towards exchange ids (replies, targeted messages), valid for one route version. */
  private readonly nextHops = new Map<string, { version: number; peer: Peer | undefined }>();
  /** Bumped when local capabilities or peers change; with `routes.version` it keys the cache. */
  private localVersion = 0;
  private readonly ids: IdSource;
  /** The envelope being received, and the bytes it came as (see receive). */
  private arriving: Envelope | undefined;
  private arrivingBytes: EnvelopeBytes | undefined;
  private arrivingDeliveries = 0;
  private advertScheduled = false;
  private closed = false;
  readonly balance: BalanceStrategy;
  readonly failover: FailoverPolicy;
  private readonly defaultTimeout: number;
  private readonly logSize: number;

  constructor(init: ExchangeInit) {
    if (typeof init.id !== 'string' || !ID_TOKEN.test(init.id)) {
      throw new InvalidNameError(
        `exchange id must be 1-64 letters, digits, '_' or '-': got ${JSON.stringify(init.id)}`,
        String(init.id),
      );
    }
    this.id = init.id;
    this.balance = init.balance ?? 'round-robin';
    this.failover = init.failover ?? 'retry';
    this.defaultTimeout = init.defaultTimeout ?? 5000;
    if (!isTimeout(this.defaultTimeout))
      throw new RangeError(badTimeout('defaultTimeout', this.defaultTimeout));
    this.logSize = init.logSize ?? 1000;
    this.log = new MessageLog<Envelope>({
      capacity: this.logSize,
      maxBytes: init.logMaxBytes,
      keepValue: isNotLogAnswer,
      // Logged bytes are the envelope as it arrived; it was logged with this exchange's hop.
      restore: (env, at) => {
        env.trace = appendHop(env.trace, this.id, at);
        return env;
      },
    });
    const seenSize = init.seenSize ?? 10_000;
    if (!Number.isInteger(seenSize) || seenSize < 1)
      throw new RangeError(`seenSize must be a positive integer, got ${seenSize}`);
    this.seen = new SeenSet(seenSize);
    this.ids = new IdSource(this.id);
    this.nameRoutes = new NameRoutes(ROUTE_CACHE_NAMES, (name, version) =>
      this.resolveRoute(name, version),
    );
    this.routes.addLocal('n', this.id);
    for (const [pattern, fn] of Object.entries(init.handlers ?? {})) this.handle(pattern, fn);
    if (init.state || init.exports || init.imports) this.sharedState = new SharedState(this, init);
  }

  // ---- capabilities --------------------------------------------------------------------------

  /** Handle a name or pattern: one handler in the network gets each matching message. */
  handle(pattern: string, fn: MessageHandler): () => void {
    return this.register('h', pattern, this.handlers, { pattern, fn });
  }

  /**
   * Observe a name or pattern: every observer in the network gets a copy. With `peer`, only what
   * arrives straight from that neighbour; with `local: true`, the observer is not advertised.
   */
  on(pattern: string, fn: MessageObserver, options: OnOptions = {}): () => void {
    const entry = options.peer === undefined ? { fn } : { fn, peer: options.peer };
    return this.register('o', pattern, this.observers, entry, options.local !== true);
  }

  /**
   * Observe as an async iterator: `for await (const msg of ex.observe('orders.*', { signal }))`.
   * Leaving the loop or aborting `signal` removes the observer; see `ObserveOptions` for the
   * bounded buffer and its overflow policy.
   * @throws {CancelledError} at once if `options.signal` is already aborted.
   */
  observe(pattern: string, options: ObserveOptions = {}): Observation {
    return observeMessages(this, pattern, options);
  }

  /** Add a local capability and advertise it; returns its (idempotent) remover. */
  private register<T>(
    kind: 'h' | 'o',
    pattern: string,
    local: PatternTrie<T>,
    value: T,
    advertise = true,
  ): () => void {
    validatePattern(pattern);
    local.add(pattern, value);
    this.localVersion++;
    if (advertise) {
      this.routes.addLocal(kind, pattern);
      this.scheduleAdverts();
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      local.remove(pattern, value);
      this.localVersion++;
      if (!advertise) return;
      this.routes.removeLocal(kind, pattern);
      this.scheduleAdverts();
    };
  }

  // ---- emitting ------------------------------------------------------------------------------

  /** Emit a message: to one handler and to every observer, wherever they are. */
  send(name: string, value?: unknown, options: SendOptions = NO_OPTIONS): Envelope {
    const route = this.route(name);
    const env = this.create('msg', name, value, options);
    if (this.held.origin.held > 0 && env.to === undefined) {
      // Earlier messages from here wait for routes: this one waits behind them (order).
      this.held.hold(env, BOTH, this.held.origin);
      return env;
    }
    const out = this.counters.out;
    const refused = this.refusals;
    const local = this.localDeliveries;
    const reached =
      env.to !== undefined
        ? this.routeTo(env, undefined)
        : this.dispatch(env, BOTH, undefined, route) !== 0;
    if (this.counters.out === out) this.log.record('out', undefined, env, env.ts);
    if (this.refusals !== refused && !isSystemName(name)) {
      // Every way out refused it (a full queue, e.g. buffering for a hub that is down) and
      // nothing here took it: the caller hears at once, not from a system message. (System
      // messages, state pushes included, are best effort: they never throw.)
      const accepted = this.counters.out - out - (this.refusals - refused);
      if (accepted === 0 && this.localDeliveries === local)
        throw new ExchangeError('CONGESTED', `${name} not sent: every link to it is full`);
    }
    // Shortly after a reconnection routes may still be on their way: it waits (held-messages.ts).
    if (!reached && !isSystemName(name) && !this.held.holdOwn(env, BOTH)) this.unhandled(env);
    return env;
  }

  /** Send to every connected peer (each delivers to its local handlers and observers). */
  broadcast(name: string, value?: unknown): Envelope {
    validateName(name);
    const env = this.create('msg', name, value, NO_OPTIONS);
    for (const peer of this.peers.values()) this.forward(peer, { ...env, to: peer.id }, BOTH);
    if (this.peers.size === 0) this.log.record('out', undefined, env, env.ts);
    return env;
  }

  /**
   * Ask: resolves with the reply's value, or rejects with a typed error (or a RangeError for a
   * `timeout` that is not a finite number of ms >= 0).
   */
  request<R = unknown>(
    name: string,
    value?: unknown,
    options: RequestOptions = NO_OPTIONS,
  ): Promise<R> {
    return this.ask(name, value, options, false) as Promise<R>;
  }

  /** Like `request`, but resolves with the whole reply envelope (its trace included). */
  requestMessage(
    name: string,
    value?: unknown,
    options: RequestOptions = NO_OPTIONS,
  ): Promise<Envelope> {
    return this.ask(name, value, options, true) as Promise<Envelope>;
  }

  /** A request; its promise settles with the reply envelope (`whole`) or only its value. */
  private ask(
    name: string,
    value: unknown,
    options: RequestOptions,
    whole: boolean,
  ): Promise<unknown> {
    // The deadline counts from this call (the caller's clock), not from after the routing.
    const started = performance.now();
    let route: Route;
    let env: Envelope;
    let timeout: number;
    try {
      route = this.route(name);
      timeout = options.timeout ?? this.defaultTimeout;
      if (!isTimeout(timeout)) throw new RangeError(`${name}: ${badTimeout('timeout', timeout)}`);
      // Untargeted, the built-in `$exchange.info` asks this exchange itself.
      if (name === INFO && options.to === undefined) options = { ...options, to: this.id };
      env = this.create('req', name, value, options);
    } catch (e) {
      // A bad name or option: rejected, as an async function would.
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    env.deadline = env.ts + timeout;
    env.failover = options.failover ?? this.failover;
    return new Promise<unknown>((resolve, reject) => {
      const waiting = this.requests.wait(
        env,
        started,
        timeout,
        options.signal,
        whole,
        resolve,
        reject,
      );
      if (!waiting) return;
      const out = this.counters.out;
      // Observers get a copy of a request too (as NATS subscribers see requests); a handler
      // must be reachable, or it fails at once.
      const reached =
        env.to !== undefined
          ? this.routeTo(env, undefined)
          : (this.dispatch(env, BOTH, undefined, route) & MODE_HANDLER) !== 0;
      if (this.counters.out === out) this.log.record('out', undefined, env, env.ts);
      if (!reached) this.requests.settle(env.id, new NoRouteError(name));
    });
  }

  // ---- connecting ----------------------------------------------------------------------------

  /**
   * Connect to another exchange over a transport; resolves with the peer once both sides said
   * hello. A reconnecting transport (WebSocket) keeps the peer across lost connections.
   * @throws {ExchangeError} `UNKNOWN_TRANSPORT`, or the transport's error if it cannot connect.
   */
  async connect(options: ConnectOptions): Promise<Peer> {
    const leaf =
      options.leaf ??
      (DIALLING_TRANSPORTS.has(options.transport) &&
        this.listeners.size === 0 &&
        this.peers.size === 0);
    if (options.transport === 'local') {
      const [mine, theirs] = connectors.local();
      const other = options.exchange;
      const remote = other.attach(theirs);
      return Promise.all([this.attach(mine, { leaf }), remote]).then(([peer]) => peer);
    }
    const transport = await findTransport(options.transport);
    if (!transport.connect) {
      throw new ExchangeError('UNKNOWN_TRANSPORT', `transport '${options.transport}' only listens`);
    }
    return this.attach(await transport.connect(options), { leaf });
  }

  /**
   * Accept connections over a transport: each peer that connects is attached like `connect`'s.
   * `close()` stops the listener too.
   * @throws {ExchangeError} `UNKNOWN_TRANSPORT`, or the transport's error (e.g. the port is taken).
   */
  async listen(options: ListenOptions): Promise<Listener> {
    const name = (options as { transport: string }).transport;
    const transport = await findTransport(name);
    if (!transport.listen) {
      throw new ExchangeError('UNKNOWN_TRANSPORT', `transport '${name}' only connects`);
    }
    const listener = await transport.listen(options, (link) => {
      this.attach(link).catch((e: unknown) =>
        this.system('$exchange.error', { transport: name, error: toWireError(e) }),
      );
    });
    this.listeners.add(listener);
    return listener;
  }

  /** Adopt an open link (any transport): say hello, learn routes, resolve with the peer. */
  attach(link: Link, options: AttachOptions = {}): Promise<Peer> {
    const leaf = options.leaf === true;
    return new Promise((resolve, reject) => {
      let peer: Peer | undefined;
      let snapshot = this.sendHello(link, leaf);
      link.onFrame = (frame, bytes) => {
        if (peer) return this.receive(peer, frame, bytes);
        if (frame.t !== 'hello') return; // nothing counts before the hello
        const existing = this.peers.get(frame.id);
        const again =
          existing && frame.instance !== undefined && frame.instance === existing.instance;
        if (frame.id === this.id || (existing && !again)) {
          // Reject first: closing runs onClose, which would reject with TRANSPORT_CLOSED.
          const error = new ExchangeError('BAD_MESSAGE', `duplicate exchange id ${frame.id}`);
          reject(error);
          return link.close(error.message, toWireError(error));
        }
        // The same exchange instance again: its old connection is dead but not yet noticed.
        if (existing) existing.link.close(`replaced by a new connection from ${frame.id}`);
        peer = new Peer(frame.id, link, this);
        peer.instance = frame.instance;
        peer.leaf = frame.leaf === true;
        peer.upstream = leaf;
        this.adoptPeer(peer, frame.adverts, snapshot);
        snapshot = EMPTY_ADVERTS; // diffed against now: not kept for the link's lifetime
        resolve(peer);
      };
      link.onReconnect = () => {
        snapshot = this.sendHello(link, leaf, peer?.id);
        if (peer) resetAdvertised(peer, snapshot);
      };
      link.onUndeliverable = (frame, error) => {
        if (frame.t === 'msg' && peer) this.undeliverable(frame.env, frame.mode, peer, error);
      };
      link.onClose = (reason) => {
        if (peer) this.peerLeft(peer, reason);
        else reject(new ExchangeError('TRANSPORT_CLOSED', `link closed before hello: ${reason}`));
      };
      link.onCongested = (congested) => {
        if (!peer) return;
        peer.congested = congested;
        this.system('$exchange.congested', { peer: peer.id, congested });
      };
    });
  }

  /**
   * Say hello: who we are and what we can reach (a snapshot the peer starts from). Whether the
   * peer is a leaf is not known yet, so the hello carries what a leaf may hear (routes not
   * learned from leaves: a hub's hello stays small however many leaves it has); a peer that
   * turns out not to be a leaf gets the rest in an `adv` at once (syncPeer).
   */
  private sendHello(link: Link, leaf: boolean, except?: string): Advert[] {
    const adverts = helloAdverts(this.routes, except);
    const hello: HelloFrame = {
      t: 'hello',
      id: this.id,
      protocol: 1,
      adverts,
      instance: this.ids.prefix,
    };
    if (leaf) hello.leaf = true;
    link.send(hello);
    return adverts;
  }

  private adoptPeer(peer: Peer, adverts: Advert[], snapshot: Advert[]): void {
    resetAdvertised(peer, snapshot);
    this.peers.set(peer.id, peer);
    (peer.leaf ? this.leafPeers : this.relayPeers).add(peer);
    if (peer.upstream) this.upstreams = [...this.upstreams, peer];
    this.routes.setLeaf(peer.id, peer.leaf);
    this.localVersion++;
    this.learnFrom(peer, adverts);
    syncPeer(this.routes, peer);
    this.scheduleAdverts();
    this.system('$exchange.peer.connected', { peer: peer.id });
  }

  /**
   * Routes from a peer's hello. A direct peer is always reachable by its id, whether or not it
   * says so (a client written by hand may advertise nothing): replies find their way back.
   */
  private learnFrom(peer: Peer, adverts: Advert[]): void {
    peer.since = Date.now();
    this.routes.learn(peer.id, { k: 'n', p: peer.id, d: 0 });
    for (const a of adverts) this.routes.learn(peer.id, a);
    this.held.release();
  }

  /**
   * A peer said hello again on a link that reconnected: it starts from nothing, so what we
   * learned from it is replaced by its new hello, and it gets what changed since ours.
   */
  private resync(peer: Peer, hello: HelloFrame): void {
    if (hello.id !== peer.id) return peer.link.close(`peer ${peer.id} came back as ${hello.id}`);
    peer.instance = hello.instance;
    // Reconnected: what this exchange sends may find no route until others are back too.
    this.held.origin.since = Date.now();
    this.routes.forgetPeer(peer.id);
    const leaf = hello.leaf === true;
    if (leaf !== peer.leaf) {
      (peer.leaf ? this.leafPeers : this.relayPeers).delete(peer);
      peer.leaf = leaf;
      (leaf ? this.leafPeers : this.relayPeers).add(peer);
      this.routes.setLeaf(peer.id, leaf);
    }
    this.learnFrom(peer, hello.adverts);
    syncPeer(this.routes, peer);
    this.scheduleAdverts();
    this.system('$exchange.peer.connected', { peer: peer.id, again: true });
  }

  /**
   * Resolves once a handler for `name` is reachable from here (with `observer: true`, an
   * observer): routes spread asynchronously after `connect`, so a program that must not see
   * NoRouteError at start-up can wait for them. Rejects with TimeoutError or CancelledError,
   * or RangeError if `timeout` is not a finite number of ms >= 0.
   */
  reachable(
    name: string,
    options: { timeout?: number; signal?: AbortSignal; observer?: boolean } = {},
  ): Promise<void> {
    const { timeout = this.defaultTimeout, signal, observer = false } = options;
    if (!isTimeout(timeout))
      return Promise.reject(new RangeError(`reachable ${name}: ${badTimeout('timeout', timeout)}`));
    const routed = () => this.routed(name, observer);
    if (routed()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(new CancelledError(`waiting for ${name} cancelled`));
    return new Promise((resolve, reject) => {
      // A leaf is not told its hub's routes to other leaves: it asks the hub, which waits too.
      const asking = this.upstreams.length > 0 ? new AbortController() : undefined;
      const finish = (error?: Error) => {
        this.routeWaiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        asking?.abort();
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (routed()) finish();
      };
      const onAbort = () => finish(new CancelledError(`waiting for ${name} cancelled`));
      const timer = setTimeout(() => finish(new TimeoutError(name, timeout)), timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.routeWaiters.add(check);
      for (const hub of asking ? this.upstreams : []) {
        this.request(REACHABLE, { name, observer }, { to: hub.id, timeout, signal: asking!.signal })
          // `false`, or a hub that does not know the question: wait for routes or the timeout.
          .then(
            (yes) => yes === true && finish(),
            () => {},
          );
      }
    });
  }

  /**
   * A leaf asks whether `name` is reachable from here: answer `true` once it is, `false` at the
   * request's deadline (at most MAX_REACHABLE_WAIT_MS). Waits beyond MAX_REACHABLE_WAITS are
   * answered `false` at once.
   */
  private answerReachable(req: Envelope): Promise<boolean> | boolean {
    const { name, observer } = (req.value ?? {}) as { name?: unknown; observer?: unknown };
    validateName(name);
    const wait = Math.min((req.deadline ?? 0) - Date.now(), MAX_REACHABLE_WAIT_MS);
    const ask = { timeout: Math.max(0, wait), observer: observer === true };
    if (this.reachableWaits >= MAX_REACHABLE_WAITS) return this.routed(name, ask.observer);
    this.reachableWaits++;
    return this.reachable(name, ask)
      .then(
        () => true,
        () => false,
      )
      .finally(() => this.reachableWaits--);
  }

  /** True if a handler (with `observer`, an observer) of `name` is known here or beyond. */
  private routed(name: string, observer: boolean): boolean {
    const r = this.route(name);
    return observer
      ? r.observers.length > 0 || r.observerPeers.length > 0
      : r.handler !== undefined || r.handlerPeers.length > 0;
  }

  /** Connected peers by id. */
  peer(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  /** Disconnect from everyone and fail what is pending. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.requests.relays.stop();
    this.held.stop();
    this.dropNotices.stop();
    for (const listener of this.listeners) void listener.close();
    this.listeners.clear();
    for (const peer of [...this.peers.values()]) peer.link.close('exchange closed');
    this.requests.close(new ExchangeError('TRANSPORT_CLOSED', `exchange ${this.id} closed`));
  }

  // ---- introspection -------------------------------------------------------------------------

  /** The causal chain of a message known locally: the message, its cause, that one's cause, … */
  trace(messageId: string): Envelope[] {
    const chain: Envelope[] = [];
    for (
      let env = this.logged(messageId);
      env && chain.length < 64;
      env = env.cause !== undefined ? this.logged(env.cause) : undefined
    ) {
      chain.push(env);
    }
    return chain;
  }

  /** Id, peers, what is handled/observed and via whom, counters. */
  describe() {
    const routes = [...this.routes.all()].map((e) => ({
      kind: e.kind === 'h' ? 'handle' : e.kind === 'o' ? 'observe' : 'exchange',
      pattern: e.pattern,
      local: e.local > 0,
      via: Object.fromEntries(e.via),
    }));
    return {
      id: this.id,
      peers: [...this.peers.keys()],
      handles: routes.filter((r) => r.kind === 'handle' && r.local).map((r) => r.pattern),
      observes: routes.filter((r) => r.kind === 'observe' && r.local).map((r) => r.pattern),
      routes,
      counters: {
        ...this.counters,
        pending: this.requests.size,
        forwarded: this.requests.relays.size,
      },
      rates: this.rates.read(Date.now(), this.counters),
    };
  }

  // ---- shared state (the logic is in state.ts, state-sync.ts and why.ts) ---------------------

  private sharedState: SharedState | undefined;

  /** Made on first use: most exchanges have no state. */
  private get shared(): SharedState {
    return (this.sharedState ??= new SharedState(this));
  }

  /** The state, read-only: one property per name (reading flushes pending changes). */
  get state(): Readonly<Record<string, unknown>> {
    return this.shared.view;
  }

  /**
   * Set a static of the state from outside a handler (in a handler, use `ctx.set`).
   * @param options - `cause`: the message to record as the change's cause.
   * @throws {ExchangeError} `UNKNOWN_STATE`; `READ_ONLY_STATE` for a computed or imported name, or
   *   when called from inside a computed function.
   */
  set(name: string, value: unknown, options: { cause?: Envelope } = {}): void {
    this.shared.set(name, value, options.cause);
  }

  /**
   * Call `fn` with the value of `name` now and after each change.
   * @returns the unsubscribe function.
   * @throws {ExchangeError} `UNKNOWN_STATE`
   */
  watch(name: string, fn: (value: unknown) => void): () => void {
    return this.shared.watch(name, fn);
  }

  /**
   * Why `name` has its value: the transaction that last changed it, its triggers, the messages
   * that set them and their traces back to where they began (plain data; see `formatWhy`).
   * @throws {ExchangeError} `UNKNOWN_STATE`
   */
  why(name: string): StateWhy {
    return this.shared.why(name);
  }

  /**
   * Let other exchanges import `name`: they get its value now and after every change.
   * @returns the remover.
   * @throws {ExchangeError} `UNKNOWN_STATE`; `INVALID_NAME` if it cannot be part of a message name.
   */
  export(name: string): () => void {
    return this.shared.sync.export(name);
  }

  /**
   * Make the static `local` follow another exchange's exported state, live, also across
   * reconnects. `local` is created (as `undefined`) if the state does not have it.
   * @param from - `{ exchange, name }` or `'<exchange>.<name>'`.
   * @returns the remover: `local` keeps its last value and can be set locally again.
   * @throws {ExchangeError} `READ_ONLY_STATE` for a computed or already imported `local`;
   *   `INVALID_NAME` for a malformed source.
   */
  import(local: string, from: StateRef | string): () => void {
    return this.shared.sync.import(local, from);
  }

  // ---- routing -------------------------------------------------------------------------------

  /** The resolved route for a name; validates names not seen before. */
  private route(name: string): Route {
    return this.nameRoutes.get(name, this.localVersion + this.routes.version);
  }

  private resolveRoute(name: string, version: number): Route {
    validateName(name);
    const handlerPeers: HandlerCandidate[] = [];
    for (const e of this.routes.handlers.match(name)) {
      for (const [peerId, d] of e.via) {
        const peer = this.peers.get(peerId);
        if (!peer) continue;
        const known = handlerPeers.findIndex((c) => c.peer === peer);
        if (known < 0) handlerPeers.push({ peer, d });
        else if (d < handlerPeers[known].d) handlerPeers[known] = { peer, d };
      }
    }
    handlerPeers.sort((a, b) => a.d - b.d);
    const observerPeers: Peer[] = [];
    for (const e of this.routes.observers.match(name)) {
      for (const peerId of e.via.keys()) {
        const peer = this.peers.get(peerId);
        if (peer && !observerPeers.includes(peer)) observerPeers.push(peer);
      }
    }
    return {
      version,
      handler: mostSpecific(this.handlers.match(name))?.fn,
      observers: this.observers.match(name),
      handlerPeers,
      observerPeers,
    };
  }

  private create(
    kind: Envelope['kind'],
    name: string,
    value: unknown,
    options: SendOptions,
  ): Envelope {
    const ts = Date.now();
    const cause = options.cause;
    const trace: Hop[] = cause ? cause.trace.slice() : [{ ex: this.id, at: ts }];
    this.counters.sent++;
    // All fields, in cloneEnvelope's order: one object shape for every envelope.
    return {
      id: this.ids.next(),
      kind,
      name,
      value,
      from: this.id,
      to: options.to,
      ts,
      headers: options.headers,
      trace,
      start: trace.length - 1,
      cause: cause?.id,
      corr: undefined,
      error: undefined,
      errorSource: undefined,
      deadline: undefined,
      failover: undefined,
      key: options.key,
    };
  }

  /**
   * Deliver to a local handler or route to one, and copy to local and remote observers: each
   * peer gets at most one frame, carrying both duties when it leads to both. Returns the duties
   * done: MODE_HANDLER if a handler got it (here or on its way), MODE_OBSERVE if any observer.
   */
  private dispatch(
    env: Envelope,
    mode: number,
    from: Peer | undefined,
    route: Route = this.route(env.name),
  ): number {
    let reached = 0;
    let handlerPeer: Peer | undefined;
    if (mode & MODE_HANDLER) {
      if (route.handler !== undefined) {
        reached = MODE_HANDLER;
        this.runHandler(route.handler, env);
      } else {
        if (route.handlerPeers.length > 0)
          handlerPeer = this.pickHandler(env, from, route.handlerPeers);
        // A leaf sends what it has no route for to its hub, which decides.
        if (handlerPeer === undefined && this.upstreams.length > 0)
          handlerPeer = this.defaultRoute(env, from);
        if (handlerPeer) {
          reached = MODE_HANDLER;
          if (env.kind === 'req') this.requests.track(env, from, handlerPeer);
        }
      }
    }
    if (mode & MODE_OBSERVE) {
      const observers = route.observers;
      for (let i = 0; i < observers.length; i++) {
        const o = observers[i];
        if (o.peer !== undefined && o.peer !== from?.id) continue;
        reached |= MODE_OBSERVE;
        this.notify(o.fn, env);
      }
      const peers = route.observerPeers;
      for (let i = 0; i < peers.length; i++) {
        const peer = peers[i];
        if (peer === from || this.onPath(env, peer.id)) continue;
        reached |= MODE_OBSERVE;
        if (peer !== handlerPeer) this.forward(peer, env, MODE_OBSERVE);
        else {
          handlerPeer = undefined;
          this.forward(peer, env, BOTH);
        }
      }
      // A leaf does not know the observers on other leaves: its hub gets a copy for them. Not
      // of system messages, which go only where an observer is known (they are chatter).
      if (this.upstreams.length > 0 && !isSystemName(env.name)) {
        for (const hub of this.upstreams) {
          if (hub === from || peers.includes(hub) || this.onPath(env, hub.id)) continue;
          reached |= MODE_OBSERVE;
          if (hub !== handlerPeer) this.forward(hub, env, MODE_OBSERVE);
          else {
            handlerPeer = undefined;
            this.forward(hub, env, BOTH);
          }
        }
      }
    }
    if (handlerPeer) this.forward(handlerPeer, env, MODE_HANDLER);
    return reached;
  }

  /** The hub a leaf sends what it has no route for: the first not on the message's way. */
  private defaultRoute(env: Envelope, from: Peer | undefined): Peer | undefined {
    for (const hub of this.upstreams) if (hub !== from && !this.onPath(env, hub.id)) return hub;
    return undefined;
  }

  /** The nearest handler peer not on the message's path (balanced among equals). */
  private pickHandler(
    env: Envelope,
    from: Peer | undefined,
    candidates: readonly HandlerCandidate[],
  ): Peer | undefined {
    let first: Peer | undefined;
    let best = MAX_HOPS;
    let group: Peer[] | undefined;
    // Congested links (queue past their high-water mark) only when nothing else can take it.
    for (let pass = 0; pass < 2 && first === undefined; pass++) {
      for (const c of candidates) {
        if (c.d > best) break; // nearest first: the rest are farther
        if (c.peer === from || this.onPath(env, c.peer.id)) continue;
        if (pass === 0 && c.peer.congested) continue;
        if (first === undefined) {
          first = c.peer;
          best = c.d;
        } else (group ??= [first]).push(c.peer);
      }
    }
    if (group === undefined) return first;
    switch (this.balance) {
      case 'random':
        return group[Math.floor(Math.random() * group.length)];
      case 'least-outstanding':
        return group.reduce((a, b) => (b.inflight.size < a.inflight.size ? b : a));
      case 'sticky': {
        if (env.key === undefined) break;
        const sorted = group.sort((a, b) => (a.id < b.id ? -1 : 1));
        return sorted[hash(env.key) % sorted.length];
      }
      case 'round-robin':
        break;
    }
    const n = this.roundRobin.get(env.name) ?? 0;
    this.roundRobin.set(env.name, n + 1);
    return group[n % group.length];
  }

  /** Replies and targeted messages follow the shortest path to one exchange id. */
  private routeTo(env: Envelope, from: Peer | undefined): boolean {
    const to = env.to!;
    if (to === this.id) {
      if (env.kind === 'rep' || env.kind === 'err') {
        if (!this.requests.replied(env)) this.counters.dropped++; // late: timed out or cancelled
      } else this.dispatchLocal(env, from);
      return true;
    }
    let next = this.nextHop(to);
    if (!next && this.upstreams.length > 0) next = this.defaultRoute(env, from);
    if (!next) return false;
    if (env.kind === 'req') this.requests.track(env, undefined, next);
    this.forward(next, env, MODE_HANDLER);
    return true;
  }

  /** The neighbour on the shortest known path to exchange `to`; cached until routes change. */
  private nextHop(to: string): Peer | undefined {
    const version = this.localVersion + this.routes.version;
    const cached = this.nextHops.get(to);
    if (cached !== undefined && cached.version === version) return cached.peer;
    let peer: Peer | undefined;
    let best = MAX_HOPS;
    for (const [peerId, d] of this.routes.entry('n', to)?.via ?? []) {
      const candidate = this.peers.get(peerId);
      if (candidate && d < best) {
        best = d;
        peer = candidate;
      }
    }
    // Bounded as the name routes are: full, it starts over (ids that are never seen again).
    if (cached === undefined && this.nextHops.size >= ROUTE_CACHE_NAMES) this.nextHops.clear();
    this.nextHops.set(to, { version, peer });
    return peer;
  }

  /** A targeted message arrived: only this exchange's handler and observers get it. */
  private dispatchLocal(env: Envelope, from: Peer | undefined): void {
    const route = this.route(env.name);
    if (route.handler !== undefined) this.runHandler(route.handler, env);
    else if (env.kind === 'req' && env.name === INFO) this.reply(env, env.trace, this.describe());
    else if (env.kind === 'req' && env.name === REACHABLE)
      this.runHandler(() => this.answerReachable(env), env);
    // `$exchange.log` (log-request.ts) runs as a handler, so a bad filter becomes its error reply.
    else if (env.kind === 'req' && env.name === LOG_REQUEST)
      this.runHandler(() => answerLogRequest(this.log, env), env);
    else if (env.kind === 'req')
      this.replyError(env, env.trace, new NoRouteError(env.name), 'router');
    for (const o of route.observers)
      if (o.peer === undefined || o.peer === from?.id) this.notify(o.fn, env);
  }

  private forward(peer: Peer, env: Envelope, mode: number): void {
    if (this.advertScheduled) this.flushAdverts();
    if (peer.advertsPending) peer.flushAdverts();
    this.counters.out++;
    // Logged at the time of the hop this exchange added (or the message's creation): no clock read.
    // From the bytes it came as, unless a local handler or observer got it first (and could
    // have changed it in place: what goes out is then logged as it is).
    const asArrived = env === this.arriving && this.localDeliveries === this.arrivingDeliveries;
    let bytes = asArrived ? this.arrivingBytes : undefined;
    // Else as the link's codec writes it, when it can: a message made here too. Not an answer to
    // `$exchange.log` (a copy of the log), which is logged without its value anyway.
    const codec = bytes === undefined ? peer.link.envelopeCodec : undefined;
    if (codec !== undefined && isNotLogAnswer(env)) bytes = this.sentBytes(env, codec);
    this.log.record('out', peer.id, env, env.trace[env.trace.length - 1].at, bytes);
    if (peer.open && peer.link.send({ t: 'msg', env, mode })) return;
    const why = peer.open ? `peer ${peer.id}'s send queue is full` : `peer ${peer.id} is closed`;
    this.refusals++;
    this.drop(env, why);
    if (env.kind === 'req' && mode & MODE_HANDLER) this.refused(env, peer, why);
  }

  /**
   * `env` as `codec` writes it, for the log. The same envelope object to several peers of one
   * codec is written once (the log then keeps one copy), unless a local handler or observer ran
   * since and may have changed it; a copy made per peer (`broadcast`) is written again. What is
   * held for that (the envelope, a view of the codec's writer, the log's last source) is let go
   * at the end of the turn.
   */
  private sentBytes(env: Envelope, codec: EnvelopeCodec): EnvelopeBytes | undefined {
    const last = this.lastSent;
    if (
      last.env !== env ||
      last.write !== codec.writeEnvelope ||
      last.deliveries !== this.localDeliveries
    ) {
      const data = codec.writeEnvelope(env);
      last.env = env;
      last.write = codec.writeEnvelope;
      last.deliveries = this.localDeliveries;
      last.bytes.data = data ?? EMPTY_BYTES;
      last.bytes.end = data?.length ?? 0;
      last.bytes.read = codec.readEnvelope;
      if (!this.sentHeld) {
        this.sentHeld = true;
        void RESOLVED.then((this.letSentGo ??= () => this.forgetSent()));
      }
    }
    // An envelope is never written as no bytes: none means it could not be written.
    return last.bytes.end > 0 ? last.bytes : undefined;
  }

  /** The last envelope `sentBytes` wrote (reused: one object per exchange). */
  private readonly lastSent = {
    env: undefined as Envelope | undefined,
    write: undefined as EnvelopeCodec['writeEnvelope'] | undefined,
    deliveries: 0,
    bytes: { data: EMPTY_BYTES, start: 0, end: 0, read: readNothing, sent: true } as EnvelopeBytes,
  };
  /** `lastSent` holds an envelope until `forgetSent` runs. */
  private sentHeld = false;
  private letSentGo: (() => void) | undefined;

  private forgetSent(): void {
    this.sentHeld = false;
    const last = this.lastSent;
    last.env = undefined;
    last.bytes.data = EMPTY_BYTES;
    last.bytes.end = 0;
    // A microtask: no arriving message is being logged now.
    this.log.forgetSource();
  }

  /** A request the link would not take fails at once with CONGESTED, not at its timeout. */
  private refused(env: Envelope, peer: Peer, why: string): void {
    this.requests.fail(
      env,
      peer,
      new ExchangeError('CONGESTED', `request ${env.name} not sent: ${why}`),
    );
  }

  /** The link took a frame but could not deliver it (too large, not encodable). */
  private undeliverable(env: Envelope, mode: number, peer: Peer, error: Error): void {
    this.drop(env, `peer ${peer.id}: ${error.message}`);
    if (env.kind === 'req' && mode & MODE_HANDLER) this.requests.fail(env, peer, error);
  }

  private onPath(env: Envelope, exchangeId: string): boolean {
    const trace = env.trace;
    for (let i = env.start ?? 0; i < trace.length; i++) if (trace[i].ex === exchangeId) return true;
    return false;
  }

  /** The newest envelope with this id in the message log. */
  private logged(id: string): Envelope | undefined {
    return this.log.findEnvelope((env) => env.id === id);
  }

  // ---- receiving -----------------------------------------------------------------------------

  private receive(peer: Peer, frame: Frame, bytes: EnvelopeBytes | undefined): void {
    switch (frame.t) {
      case 'msg':
        if (bytes === undefined) return this.receiveMessage(peer, frame.env, frame.mode, bytes);
        // While it is routed, forwards of this envelope are logged from the same bytes.
        this.arriving = frame.env;
        this.arrivingBytes = bytes;
        this.arrivingDeliveries = this.localDeliveries;
        try {
          return this.receiveMessage(peer, frame.env, frame.mode, bytes);
        } finally {
          this.arriving = undefined;
          this.arrivingBytes = undefined;
          this.log.forgetSource();
        }
      case 'adv':
        for (const a of frame.adverts) this.routes.learn(peer.id, a);
        this.scheduleAdverts();
        return this.held.release();
      case 'bye':
        return peer.link.close(frame.reason ?? 'bye');
      case 'hello':
        return this.resync(peer, frame);
      case 'ping':
      case 'pong':
        return; // heartbeats are the transport's business
    }
  }

  /** The link hands over `env` as ours (see Link): it gets our hop appended in place. */
  private receiveMessage(
    peer: Peer,
    env: Envelope,
    mode: number,
    bytes: EnvelopeBytes | undefined,
  ): void {
    const now = Date.now();
    env.trace = appendHop(env.trace, this.id, now);
    this.counters.in++;
    this.log.record('in', peer.id, env, now, bytes);
    if (env.trace.length - (env.start ?? 0) > MAX_PATH) return this.looped(env);
    if (env.kind === 'rep' || env.kind === 'err') {
      this.requests.relays.answered(env.corr!);
      if (!this.routeTo(env, peer)) this.drop(env, `no route to ${env.to}`);
      return;
    }
    if (env.to !== undefined) {
      if (this.seen.claim(env.id, MODE_HANDLER) === 0) return void this.counters.duplicates++;
      if (this.routeTo(env, peer)) return;
      // A leaf's request to an exchange its hub cannot reach fails as it would have there.
      if (env.kind === 'req') this.noRoute(env, peer);
      else this.drop(env, `no route to ${env.to}`);
      return;
    }
    const duties = this.seen.claim(env.id, mode);
    if (duties === 0) return void this.counters.duplicates++;
    // A leaf's own request, made after it said hello, is decided at once, as the leaf would
    // have decided it (earlier ones waited for the connection: routes may still be settling).
    const fresh = env.kind === 'req' && peer.leaf && env.from === peer.id && env.ts >= peer.since;
    // Behind a held message from the same peer, a message waits its turn (order per peer).
    if (peer.held > 0 && !fresh) return this.held.hold(env, duties, peer, peer);
    const reached = this.dispatch(env, duties, peer);
    if (reached === 0 && !fresh && this.held.mayHold(env, duties, peer, now))
      return this.held.hold(env, duties, peer, peer);
    if (duties & MODE_HANDLER && !(reached & MODE_HANDLER)) this.noRoute(env, peer, reached);
  }

  /**
   * No handler took it: a request fails. A leaf sends its hub the handler's duty whenever it has
   * no handler itself, so a message of its own is only unhandled (decided here, for the leaf) if
   * no observer took it either; another peer's is dropped.
   */
  private noRoute(env: Envelope, from: Peer | undefined, reached = 0): void {
    if (env.kind === 'req') this.replyError(env, env.trace, new NoRouteError(env.name), 'router');
    else if (!from?.leaf || env.from !== from.id) this.drop(env, 'no route');
    else if (reached === 0) this.unhandled(env);
  }

  private peerLeft(peer: Peer, reason: string): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    this.relayPeers.delete(peer);
    this.leafPeers.delete(peer);
    if (peer.upstream) this.upstreams = this.upstreams.filter((p) => p !== peer);
    this.localVersion++;
    // Stale now, and they would keep the peer (its link, its socket) alive until reused.
    this.nameRoutes.clear();
    this.nextHops.clear();
    this.routes.forgetPeer(peer.id);
    this.routes.setLeaf(peer.id, false);
    this.scheduleAdverts();
    this.system('$exchange.peer.disconnected', { peer: peer.id, reason });
    if (peer.inflight.size > 0)
      for (const id of [...peer.inflight.keys()]) this.requests.failOver(id, peer);
  }

  // ---- handlers and replies ------------------------------------------------------------------

  private runHandler(fn: MessageHandler, env: Envelope): void {
    this.localDeliveries++;
    const ctx = new Context(this, env);
    let result: unknown;
    try {
      result = fn(env, ctx);
    } catch (e) {
      if (env.kind === 'req') this.replyError(env, ctx.trace, e, 'handler');
      else
        this.system('$exchange.error', { message: env.id, name: env.name, error: toWireError(e) });
      return;
    }
    if (env.kind !== 'req') {
      if (isThenable(result))
        result.then(undefined, (e: unknown) =>
          this.system('$exchange.error', {
            message: env.id,
            name: env.name,
            error: toWireError(e),
          }),
        );
      return;
    }
    if (!isThenable(result)) return this.reply(env, ctx.trace, result);
    result.then(
      (value) => this.reply(env, ctx.trace, value),
      (e: unknown) => this.replyError(env, ctx.trace, e, 'handler'),
    );
  }

  private reply(req: Envelope, trace: Hop[], value: unknown): void {
    this.answer(req, trace, 'rep', value, undefined, undefined);
  }

  private replyError(
    req: Envelope,
    trace: Hop[],
    error: unknown,
    source: 'handler' | 'router',
  ): void {
    this.answer(req, trace, 'err', undefined, toWireError(error), source);
  }

  /** Send a reply or error back to the requester; it continues the trace the handler saw. */
  private answer(
    req: Envelope,
    trace: Hop[],
    kind: 'rep' | 'err',
    value: unknown,
    error: WireError | undefined,
    errorSource: 'handler' | 'router' | undefined,
  ): void {
    const ts = Date.now();
    // All fields, in cloneEnvelope's order (see create).
    const env: Envelope = {
      id: this.ids.next(),
      kind,
      name: req.name,
      value,
      from: this.id,
      to: req.from,
      ts,
      headers: undefined,
      trace: trace.slice(),
      start: trace.length - 1,
      cause: req.id,
      corr: req.id,
      error,
      errorSource,
      deadline: undefined,
      failover: undefined,
      key: undefined,
    };
    const out = this.counters.out;
    const routed = this.routeTo(env, undefined);
    if (this.counters.out === out) this.log.record('out', undefined, env, ts);
    if (!routed) this.drop(env, `no route to ${req.from}`);
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private notify(fn: MessageObserver, env: Envelope): void {
    this.localDeliveries++;
    try {
      fn(env);
    } catch (e) {
      if (env.name !== '$exchange.error')
        this.system('$exchange.error', { message: env.id, name: env.name, error: toWireError(e) });
    }
  }

  /** Past MAX_PATH hops: a request fails with LOOP, anything else is dropped. */
  private looped(env: Envelope): void {
    if (env.kind === 'req') {
      const error = new ExchangeError('LOOP', `${env.name} passed more than ${MAX_PATH} exchanges`);
      this.replyError(env, env.trace, error, 'router');
    }
    this.drop(env, `more than ${MAX_PATH} hops`);
  }

  private drop(env: Envelope, reason: string): void {
    this.counters.dropped++;
    if (!isSystemName(env.name)) this.dropNotices.dropped(env, reason);
  }

  private unhandled(env: Envelope): void {
    this.counters.unhandled++;
    this.system('$exchange.unhandled', { message: env.id, name: env.name });
  }

  /** System messages go to observers like any message (nobody is expected to handle them). */
  private system(name: string, value: unknown): void {
    if (this.closed && name !== '$exchange.peer.disconnected') return;
    const env = this.create('msg', name, value, NO_OPTIONS);
    this.dispatch(env, MODE_OBSERVE, undefined);
  }

  private scheduleAdverts(): void {
    if (this.advertScheduled) return;
    this.advertScheduled = true;
    queueMicrotask(() => this.flushAdverts());
  }

  /** Send changed routes now (also before a message frame: routes go first; see Peer). */
  private flushAdverts(): void {
    if (!this.advertScheduled) return;
    this.advertScheduled = false;
    this.sendAdverts(this.routes.takeChanged());
    if (this.routeWaiters.size > 0) for (const check of [...this.routeWaiters]) check();
  }

  /**
   * Tell each peer about changed routes, never advertising a route back where it came from.
   * Leaves hear only of changes not learned from leaves: a leaf coming or going costs a hub
   * adverts to its other peers that are not leaves, nothing per leaf.
   */
  private sendAdverts(changes: RouteChanges): void {
    if (changes.all.length > 0)
      for (const peer of this.relayPeers) advertiseTo(this.routes, peer, changes.all);
    if (changes.shared.length > 0)
      for (const peer of this.leafPeers) advertiseTo(this.routes, peer, changes.shared);
  }
}

/** How exchanges get links for `connect`; the package entry registers the local transport. */
export const connectors: { local: () => [Link, Link] } = {
  local: () => {
    throw new ExchangeError('INTERNAL', 'no local transport registered');
  },
};

/** FNV-1a: spreads sticky-balancing keys over the handler peers. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
