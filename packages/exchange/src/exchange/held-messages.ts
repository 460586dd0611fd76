/**
 * Messages held while routes settle after a (re)connection. A peer that just said hello may
 * send what it buffered before the exchanges it is for have said hello again (a restarted hub,
 * clients coming back in any order); what this exchange sends just after a reconnection may
 * find no route yet either. Such a message waits (at most MAX_HELD over all sources), in order
 * per source, and is tried again whenever routes change; when its source's grace ends it is
 * given up as it would have been at once.
 */
import type { Envelope } from './envelope.js';
import { MODE_HANDLER } from './link.js';
import type { Peer } from './peer.js';

/** How long after a peer's hello a message with no route yet is held (ms). */
export const ROUTE_GRACE_MS = 5000;
/** Messages held at most, over all sources; beyond it they are given up at once. */
export const MAX_HELD = 10_000;

/** Where held messages came from: a peer (its hello time) or this exchange (the last hello). */
export interface HoldSource {
  held: number;
  since: number;
  readonly open: boolean;
}

/** What the held queue needs of its exchange: to try a message again, and to give up on it. */
export interface HoldOwner {
  /** Deliver or route it again; returns the duties done (0: nothing took it). */
  dispatch(env: Envelope, duties: number, from: Peer | undefined): number;
  /** A message sent here that nothing took. */
  unhandled(env: Envelope): void;
  /** A peer's message that no handler took (a request fails, anything else is dropped). */
  noRoute(env: Envelope, from: Peer): void;
}

interface Held {
  env: Envelope;
  duties: number;
  source: HoldSource;
  from: Peer | undefined;
}

/** The exchange's held messages, over all sources, in arrival order. */
export class HeldMessages {
  /** Messages sent here wait like a peer's: since = the last reconnection. */
  readonly origin: HoldSource = { held: 0, since: 0, open: true };
  private list: Held[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly owner: HoldOwner) {}

  /**
   * Whether a peer's message nothing takes may wait: the peer said hello recently. Not a leaf's
   * copy for observers of what it handled itself: a leaf sends that copy whether or not anyone
   * observes, so nobody taking it is the normal case.
   */
  mayHold(env: Envelope, duties: number, peer: Peer, now: number): boolean {
    if (now - peer.since >= ROUTE_GRACE_MS || this.list.length >= MAX_HELD) return false;
    return (duties & MODE_HANDLER) !== 0 || !peer.leaf || env.from !== peer.id;
  }

  /**
   * A message sent here that nothing takes: held if a link reconnected less than ROUTE_GRACE_MS
   * ago (routes may still be on their way). Returns false if it was not held.
   */
  holdOwn(env: Envelope, duties: number): boolean {
    const settling = Date.now() - this.origin.since < ROUTE_GRACE_MS;
    if (!settling || env.to !== undefined || this.list.length >= MAX_HELD) return false;
    this.hold(env, duties, this.origin);
    return true;
  }

  /** Hold `env` behind what its source already has waiting; `from`: the peer it came from. */
  hold(env: Envelope, duties: number, source: HoldSource, from?: Peer): void {
    source.held++;
    this.list.push({ env, duties, source, from });
    this.releaseSoon();
  }

  /** Try the held messages again, in order; give up those whose grace is over. */
  release(): void {
    if (this.list.length === 0) return;
    const list = this.list;
    this.list = [];
    const now = Date.now();
    for (const h of list) h.source.held--;
    for (const h of list) {
      const graced = now - h.source.since < ROUTE_GRACE_MS && h.source.open;
      if (h.source.held > 0 && graced) {
        this.hold(h.env, h.duties, h.source, h.from); // an earlier one is still waiting
        continue;
      }
      const reached = this.owner.dispatch(h.env, h.duties, h.from);
      if (reached !== 0) continue;
      if (graced) this.hold(h.env, h.duties, h.source, h.from);
      else if (h.from === undefined) this.owner.unhandled(h.env);
      else if (h.duties & MODE_HANDLER) this.owner.noRoute(h.env, h.from);
    }
  }

  /** Stop the release timer (the exchange closed). */
  stop(): void {
    clearTimeout(this.timer);
  }

  /** Grace ends even if no route changes: look again every tenth of it. */
  private releaseSoon(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, ROUTE_GRACE_MS / 10);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
