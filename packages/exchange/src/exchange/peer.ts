import { CompactMap } from './compact.js';
import { InFlight } from './in-flight.js';
import type { Envelope } from './envelope.js';
import type { MessageObserver, RequestOptions, SendOptions } from './exchange.js';
import type { Advert, Link } from './link.js';

/**
 * The part of its exchange a peer uses to send, ask and observe on the application's behalf.
 * A narrow interface rather than the `Exchange` class, so the two files do not depend on each
 * other's internals.
 */
export interface PeerOwner {
  send(name: string, value: unknown, options: SendOptions): Envelope;
  request(name: string, value: unknown, options: RequestOptions): Promise<unknown>;
  on(pattern: string, fn: MessageObserver, options: { peer?: string; local?: boolean }): () => void;
}

/**
 * A connected neighbour. For the application it is a handle on that exchange: `send` and
 * `request` target it (`to: peer.id`), `on` observes what arrives from it. For the exchange it
 * keeps what was last advertised to it (so only changes are sent, batched per microtask) and the
 * requests routed through it (for failover).
 *
 * @example
 * const db = await app.connect({ transport: 'local', exchange: dbExchange });
 * const rows = await db.request('db.query', 'select 1'); // handled by `db`, no other replica
 * db.on('db.changed', (msg) => refresh(msg.value)); // only what `db` sends this way
 */
export class Peer {
  /** Pattern key → distance last advertised to this peer. */
  readonly advertised = new CompactMap<string, number>();
  #inflight: InFlight<true> | undefined;
  /**
   * Request ids routed through this peer and not yet answered. Made on first use: a hub has
   * thousands of peers that never carry a request.
   */
  get inflight(): InFlight<true> {
    return (this.#inflight ??= new InFlight());
  }
  congested = false;
  /**
   * The peer said `leaf: true` in its hello: it relays for no one and sends what it cannot
   * deliver itself to us, so it is told no routes learned from other leaves.
   */
  leaf = false;
  /**
   * This exchange is a leaf on this link: the peer (a hub) is its default route, where anything
   * it has no route for goes.
   */
  upstream = false;
  /** The peer's `instance` from its hello (see HelloFrame). */
  instance: string | undefined;
  /** When its (last) hello came: routes are still settling for a while after (held-messages.ts). */
  since = 0;
  /** Messages from it the exchange holds until a route appears. */
  held = 0;
  private pendingAdverts: Advert[] | undefined;
  private advertScheduled = false;

  /**
   * @param id - the peer's exchange id, from its hello.
   * @param link - the connection to it.
   * @param owner - this side's exchange.
   */
  constructor(
    readonly id: string,
    readonly link: Link,
    private readonly owner: PeerOwner,
  ) {}

  get open(): boolean {
    return this.link.state === 'open';
  }

  /**
   * Emit a message to this peer's exchange only: its handler and observers get it, no one else.
   * @param name - a message name (no wildcards).
   * @param value - the message's value.
   * @param options - as for `ex.send`; `to` is always this peer.
   * @returns the envelope sent.
   * @throws {InvalidNameError} if `name` is not a valid name.
   */
  send(name: string, value?: unknown, options: SendOptions = {}): Envelope {
    return this.owner.send(name, value, { ...options, to: this.id });
  }

  /**
   * Ask this peer's exchange: resolves with its handler's reply. Fails like `ex.request`:
   * `NoRouteError` if it does not handle `name` (or is gone), `RemoteError` if its handler
   * throws, `TimeoutError`, `CancelledError`.
   * @param name - a message name (no wildcards).
   * @param value - the request's value.
   * @param options - as for `ex.request`; `to` is always this peer.
   */
  request<R = unknown>(name: string, value?: unknown, options: RequestOptions = {}): Promise<R> {
    return this.owner.request(name, value, { ...options, to: this.id }) as Promise<R>;
  }

  /**
   * Observe the messages matching `pattern` that arrive from this peer (the last hop, not
   * necessarily the exchange that created them).
   * @param pattern - a name or pattern.
   * @param fn - called with each matching message.
   * @returns the remover (idempotent).
   */
  on(pattern: string, fn: MessageObserver): () => void {
    return this.owner.on(pattern, fn, { peer: this.id });
  }

  /** Queue an advertisement; all queued in one turn go out as one frame. */
  advertise(advert: Advert): void {
    (this.pendingAdverts ??= []).push(advert);
    if (this.advertScheduled) return;
    this.advertScheduled = true;
    queueMicrotask(() => this.flushAdverts());
  }

  /**
   * Send queued advertisements now. The exchange calls this before a message frame, so a peer
   * always learns a route before a message that may depend on it (an observer added in the same
   * turn as a request whose handler will notify it).
   */
  flushAdverts(): void {
    this.advertScheduled = false;
    const adverts = this.pendingAdverts;
    if (adverts === undefined) return;
    this.pendingAdverts = undefined;
    if (this.open) this.link.send({ t: 'adv', adverts });
  }

  /** True while advertisements wait for the end of the turn. */
  get advertsPending(): boolean {
    return this.advertScheduled;
  }
}
