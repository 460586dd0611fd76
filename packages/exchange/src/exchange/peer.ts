import type { Advert, Frame, Link } from './link.js';

/**
 * A connected neighbour. Keeps what was last advertised to it (so only changes are sent, batched
 * per microtask) and the requests this exchange routed through it (for failover).
 */
export class Peer {
  /** Pattern key → distance last advertised to this peer. */
  readonly advertised = new Map<string, number>();
  /** Request ids routed through this peer and not yet answered. */
  readonly inflight = new Set<string>();
  congested = false;
  private pendingAdverts: Advert[] = [];
  private advertScheduled = false;

  constructor(
    readonly id: string,
    readonly link: Link,
  ) {}

  get open(): boolean {
    return this.link.state === 'open';
  }

  send(frame: Frame): boolean {
    return this.link.send(frame);
  }

  /** Queue an advertisement; all queued in one turn go out as one frame. */
  advertise(advert: Advert): void {
    this.pendingAdverts.push(advert);
    if (this.advertScheduled) return;
    this.advertScheduled = true;
    queueMicrotask(() => {
      this.advertScheduled = false;
      const adverts = this.pendingAdverts;
      this.pendingAdverts = [];
      if (adverts.length > 0 && this.open) this.link.send({ t: 'adv', adverts });
    });
  }
}
