/**
 * `GET /events?pattern=…`: the messages a hub observes, as Server-Sent Events, with resume.
 *
 * One observer per pattern (a subscription) feeds every client streaming that pattern. Each
 * subscription numbers its events with consecutive integers and keeps the newest in a bounded
 * ring; after its last client leaves it lingers (observing, filling the ring) for `linger` ms,
 * so a client that reconnects with `Last-Event-ID` within it gets what it missed, as long as
 * the ring still holds it. Otherwise the client first gets a `$gap` event saying how many
 * events it lost (or `null`: unknown, the subscription had expired). A client that falls
 * behind (its unsent bytes over `maxClientBuffer`) is written nothing more until it drains, then
 * catches up from the ring the same way; one that stays behind for `stallTimeout` is let go.
 * docs/http.md has the wire format.
 *
 * @example
 * // curl -N 'http://127.0.0.1:4860/events?pattern=orders.>'
 * // retry: 1000
 * //
 * // id: 1734000000000000
 * // event: $ready
 * // data: {"pattern":"orders.>","id":1734000000000000}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExchangeError, validatePattern, type Envelope, type Exchange } from '../index.js';

/** Bounds and timings of the event streams (defaults in parentheses). */
export interface EventStreamsInit {
  /** Events kept per pattern for resume. (1,024) */
  ringSize?: number;
  /** Bytes of event text kept per pattern for resume; the oldest go first. (1 MiB) */
  ringBytes?: number;
  /** How long a pattern keeps observing after its last client left, in ms. (30,000) */
  linger?: number;
  /** Interval of `: ping` comments to every client, in ms (0: none). (15,000) */
  heartbeat?: number;
  /**
   * Bytes written to one client and not yet taken by it. Over it, the client gets nothing more
   * until it has taken them; then it catches up from the ring (after a `$gap` if the ring moved
   * on meanwhile). So a burst costs a fast client nothing, and memory stays bounded. (1 MiB)
   */
  maxClientBuffer?: number;
  /**
   * How long a client may stay over `maxClientBuffer` before it is disconnected as one that does
   * not read, in ms. It may reconnect with `Last-Event-ID` and resume. (15,000)
   */
  stallTimeout?: number;
  /** Patterns observed at once (streaming or lingering); more: 503 CONGESTED. (256) */
  maxSubscriptions?: number;
  /** Clients streaming at once; more: 503 CONGESTED. (1,024) */
  maxClients?: number;
  /** The reconnection delay suggested to EventSource clients (`retry:`), in ms. (1,000) */
  retry?: number;
}

interface Client {
  readonly res: ServerResponse;
  readonly sub: Subscription;
  /** The id of the last event written to it. */
  sent: number;
  /** `$ready` was written (the first catch-up finished). */
  ready: boolean;
  /** Set while it is over its buffer bound: it is disconnected when this fires. */
  stalled: ReturnType<typeof setTimeout> | undefined;
}

interface Subscription {
  pattern: string;
  /** Ids of this subscription are above `base`; an id at or below it is from an older one. */
  base: number;
  /** The last id given out (`base` if none yet). */
  last: number;
  /** Event texts, oldest first, from `head`; ids are consecutive, the newest is `last`. */
  ring: string[];
  head: number;
  bytes: number;
  clients: Set<Client>;
  off: () => void;
  linger: ReturnType<typeof setTimeout> | undefined;
}

/** The event streams of one hub. */
export class EventStreams {
  private readonly subs = new Map<string, Subscription>();
  private readonly clients = new Set<Client>();
  private readonly heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Highest id given out by any subscription, so a new one starts above every older one. */
  private high = 0;
  private readonly o: Required<EventStreamsInit>;

  constructor(
    private readonly ex: Exchange,
    init: EventStreamsInit = {},
  ) {
    this.o = {
      ringSize: init.ringSize ?? 1024,
      ringBytes: init.ringBytes ?? 1_048_576,
      linger: init.linger ?? 30_000,
      heartbeat: init.heartbeat ?? 15_000,
      maxClientBuffer: init.maxClientBuffer ?? 1_048_576,
      stallTimeout: init.stallTimeout ?? 15_000,
      maxSubscriptions: init.maxSubscriptions ?? 256,
      maxClients: init.maxClients ?? 1024,
      retry: init.retry ?? 1000,
    };
    if (!Number.isInteger(this.o.ringSize) || this.o.ringSize < 1)
      throw new RangeError(`ringSize must be a positive integer, got ${this.o.ringSize}`);
    if (this.o.heartbeat > 0) {
      this.heartbeat = setInterval(() => {
        for (const c of this.clients) if (c.ready && !c.stalled) c.res.write(': ping\n\n');
      }, this.o.heartbeat);
      this.heartbeat.unref();
    }
  }

  /** Clients streaming, those of them over their buffer bound, patterns observed. */
  get stats(): { clients: number; stalled: number; subscriptions: number } {
    let stalled = 0;
    for (const c of this.clients) if (c.stalled) stalled++;
    return { clients: this.clients.size, stalled, subscriptions: this.subs.size };
  }

  /**
   * Start streaming `pattern` to `res`, resuming after `Last-Event-ID` if the request has one.
   * @throws {InvalidNameError} for a bad pattern; {ExchangeError} `CONGESTED` over a bound.
   */
  open(req: IncomingMessage, res: ServerResponse, pattern: string): void {
    validatePattern(pattern);
    if (this.clients.size >= this.o.maxClients)
      throw congested(`${this.o.maxClients} event streams are open`);
    const sub = this.subscription(pattern);
    clearTimeout(sub.linger);
    sub.linger = undefined;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.o.retry}\n\n`);
    const client: Client = { res, sub, sent: sub.last, ready: false, stalled: undefined };
    this.clients.add(client);
    sub.clients.add(client);
    res.once('close', () => this.leave(client));
    const after = lastEventId(req);
    if (after !== undefined && after >= sub.base && after <= sub.last) client.sent = after;
    else if (after !== undefined) {
      // An id of an expired subscription (or another hub's): what happened since is unknown.
      res.write(gap(sub, after, null));
      client.sent = sub.last - (sub.ring.length - sub.head);
    }
    this.catchUp(client);
    // Gone already (while the earlier routes were tried): its close event has been and gone.
    if (res.destroyed || req.socket.destroyed) this.leave(client);
  }

  /** End every stream and stop observing. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    for (const sub of this.subs.values()) this.expire(sub);
  }

  private subscription(pattern: string): Subscription {
    const existing = this.subs.get(pattern);
    if (existing) return existing;
    if (this.subs.size >= this.o.maxSubscriptions)
      throw congested(`${this.o.maxSubscriptions} patterns are observed`);
    // Ids from the clock (µs since the epoch), so those of a hub restarted later are higher too.
    const base = Math.max(Date.now() * 1000, this.high + 1);
    this.high = base;
    const sub: Subscription = {
      pattern,
      base,
      last: base,
      ring: [],
      head: 0,
      bytes: 0,
      clients: new Set(),
      off: () => {},
      linger: undefined,
    };
    sub.off = this.ex.on(pattern, (m) => this.publish(sub, m));
    this.subs.set(pattern, sub);
    return sub;
  }

  private publish(sub: Subscription, m: Envelope): void {
    let data: string;
    try {
      data = JSON.stringify(m);
    } catch {
      return; // a local value JSON cannot hold (a BigInt, a cycle): nothing to stream
    }
    const id = ++sub.last;
    if (id > this.high) this.high = id;
    const text = `id: ${id}\nevent: ${m.name}\ndata: ${data}\n\n`;
    sub.ring.push(text);
    sub.bytes += text.length;
    while (
      sub.ring.length - sub.head > this.o.ringSize ||
      (sub.bytes > this.o.ringBytes && sub.ring.length - sub.head > 1)
    ) {
      sub.bytes -= sub.ring[sub.head++].length;
    }
    // Compact once the dropped prefix is half the array, so dropping stays O(1) amortised.
    if (sub.head > 64 && sub.head * 2 > sub.ring.length) {
      sub.ring = sub.ring.slice(sub.head);
      sub.head = 0;
    }
    for (const c of sub.clients) if (!c.stalled) this.catchUp(c);
  }

  /**
   * Write what `client` has not had yet, from the ring: a `$gap` first if the ring has moved past
   * it, `$ready` once it is level for the first time. Stops at the buffer bound until it drains.
   */
  private catchUp(client: Client): void {
    const { res, sub } = client;
    if (res.destroyed) return;
    const oldest = sub.last - (sub.ring.length - sub.head) + 1;
    if (client.sent < oldest - 1) {
      res.write(gap(sub, client.sent, oldest - 1 - client.sent));
      client.sent = oldest - 1;
    }
    while (client.sent < sub.last) {
      res.write(sub.ring[sub.head + client.sent + 1 - oldest]);
      client.sent++;
      if (res.writableLength > this.o.maxClientBuffer && res.writableNeedDrain)
        return this.stall(client);
    }
    if (client.ready) return;
    client.ready = true;
    const ready = JSON.stringify({ pattern: sub.pattern, id: sub.last });
    res.write(`id: ${sub.last}\nevent: $ready\ndata: ${ready}\n\n`);
  }

  /** Over the bound: nothing more until it drains; still stuck after `stallTimeout`: let go. */
  private stall(client: Client): void {
    client.stalled = setTimeout(() => client.res.destroy(), this.o.stallTimeout);
    client.stalled.unref();
    client.res.once('drain', () => {
      clearTimeout(client.stalled);
      client.stalled = undefined;
      this.catchUp(client);
    });
  }

  private leave(client: Client): void {
    if (!this.clients.delete(client)) return;
    clearTimeout(client.stalled);
    const { sub } = client;
    sub.clients.delete(client);
    if (sub.clients.size > 0 || !this.subs.has(sub.pattern)) return;
    sub.linger = setTimeout(() => this.expire(sub), this.o.linger);
    sub.linger.unref();
  }

  private expire(sub: Subscription): void {
    clearTimeout(sub.linger);
    sub.off();
    this.subs.delete(sub.pattern);
  }
}

function gap(sub: Subscription, after: number, lost: number | null): string {
  const data = JSON.stringify({ pattern: sub.pattern, after, lost });
  return `event: $gap\ndata: ${data}\n\n`;
}

function congested(what: string): ExchangeError {
  return new ExchangeError('CONGESTED', `${what}, the most this hub allows; try again later`);
}

function lastEventId(req: IncomingMessage): number | undefined {
  const raw = req.headers['last-event-id'];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  // Anything that is not one of our ids resumes as an unknown position: a gap, then the ring.
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}
