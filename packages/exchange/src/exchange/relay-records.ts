/**
 * Requests this exchange relayed for others and not yet answered: where each came from and
 * went, so a peer that leaves with them in flight can have them failed over. Bounded: at most
 * MAX_RELAYED records; past it (and every SWEEP_EVERY relays, and every SWEEP_MS while any
 * wait) records past their deadline are forgotten, and at the bound the oldest go first.
 */
import type { Envelope } from './envelope.js';
import { InFlight } from './in-flight.js';
import type { Peer } from './peer.js';

const MAX_RELAYED = 100_000;
const SWEEP_EVERY = 1024;
/** How often relayed requests past their deadline are swept while any wait (ms). */
const SWEEP_MS = 250;

/** A relayed request: `from` the peer it came from (undefined: sent here), `to` where it went. */
export interface Relayed {
  env: Envelope;
  from: Peer | undefined;
  to: Peer;
}

export class RelayRecords {
  private readonly records = new InFlight<Relayed>();
  /** Requests relayed so far: every SWEEP_EVERY, records past their deadline are dropped. */
  private relayed = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  get size(): number {
    return this.records.size;
  }

  get(id: string): Relayed | undefined {
    return this.records.get(id);
  }

  delete(id: string): void {
    this.records.delete(id);
  }

  /** Remember that `env` went from `from` to `to`. */
  add(env: Envelope, from: Peer | undefined, to: Peer): void {
    if (this.records.size >= MAX_RELAYED || ++this.relayed % SWEEP_EVERY === 0) this.expire();
    this.records.set(env.id, { env, from, to });
    this.sweepLater();
  }

  /** The reply to request `id` passed by: it is no longer in flight. */
  answered(id: string): void {
    const r = this.records.get(id);
    if (!r) return;
    this.records.delete(id);
    r.to.inflight.delete(id);
  }

  /** No more sweeps (the exchange closed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** While relayed requests wait, sweep those past their deadline every SWEEP_MS. */
  private sweepLater(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire(true);
      if (this.records.size > 0) this.sweepLater();
    }, SWEEP_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Forget records past their deadline: with `all`, every one; otherwise from the oldest until
   * one is still waiting, and at the bound the oldest regardless.
   */
  private expire(all = false): void {
    const now = Date.now();
    for (const [id, r] of this.records) {
      if ((r.env.deadline ?? 0) > now) {
        if (all) continue; // a full sweep looks at every record
        if (this.records.size < MAX_RELAYED) break;
      }
      this.records.delete(id);
      r.to.inflight.delete(id);
    }
  }
}
