import type { Advert } from './link.js';
import { PatternTrie } from './trie.js';

/** Routes farther than this are unreachable: bounds count-to-infinity after a peer leaves. */
export const MAX_HOPS = 16;

/** What the network knows about one (kind, pattern): local presence and distance via each peer. */
export class RouteEntry {
  /** Local handlers/observers for this pattern (0 means none here). */
  local = 0;
  /** Peer id → distance through that peer. */
  readonly via = new Map<string, number>();
  constructor(
    readonly kind: Advert['k'],
    readonly pattern: string,
  ) {}

  /** Best distance from here, ignoring routes through `except` (split horizon); null if none. */
  best(except?: string): number | null {
    if (this.local > 0) return 0;
    let best: number | null = null;
    for (const [peer, d] of this.via) if (peer !== except && (best === null || d < best)) best = d;
    return best;
  }

  get empty(): boolean {
    return this.local === 0 && this.via.size === 0;
  }
}

/**
 * The routing table: handled patterns, observed patterns and exchange ids, each with a local
 * count and a distance per peer (distance-vector). Name lookups go through token tries, so their
 * cost follows the name, not the number of patterns.
 */
export class RouteTable {
  private readonly entries = new Map<string, RouteEntry>();
  readonly handlers = new PatternTrie<RouteEntry>();
  readonly observers = new PatternTrie<RouteEntry>();
  /** Keys whose best distance may have changed since the last `takeChanged()`. */
  private changed = new Set<RouteEntry>();
  /** Bumped on every change, so per-name lookups cached against it know when to refresh. */
  version = 0;

  entry(kind: Advert['k'], pattern: string, create: true): RouteEntry;
  entry(kind: Advert['k'], pattern: string, create?: false): RouteEntry | undefined;
  entry(kind: Advert['k'], pattern: string, create = false): RouteEntry | undefined {
    const key = `${kind}\u0000${pattern}`;
    let e = this.entries.get(key);
    if (!e && create) {
      e = new RouteEntry(kind, pattern);
      this.entries.set(key, e);
      if (kind === 'h') this.handlers.add(pattern, e);
      else if (kind === 'o') this.observers.add(pattern, e);
    }
    return e;
  }

  addLocal(kind: Advert['k'], pattern: string): void {
    const e = this.entry(kind, pattern, true);
    e.local++;
    this.changed.add(e);
    this.version++;
  }

  removeLocal(kind: Advert['k'], pattern: string): void {
    const e = this.entry(kind, pattern);
    if (!e || e.local === 0) return;
    e.local--;
    this.changed.add(e);
    this.version++;
    this.prune(e);
  }

  /** Apply a peer's advertisement; distances at or past MAX_HOPS count as withdrawals. */
  learn(peer: string, advert: Advert): void {
    const d = advert.d === null ? null : advert.d + 1;
    if (d === null || d >= MAX_HOPS) {
      const e = this.entry(advert.k, advert.p);
      if (!e?.via.delete(peer)) return;
      this.changed.add(e);
      this.version++;
      this.prune(e);
      return;
    }
    const e = this.entry(advert.k, advert.p, true);
    if (e.via.get(peer) === d) return;
    e.via.set(peer, d);
    this.changed.add(e);
    this.version++;
  }

  /** Forget every route through a peer that left. */
  forgetPeer(peer: string): void {
    for (const e of [...this.entries.values()]) {
      if (!e.via.delete(peer)) continue;
      this.changed.add(e);
      this.version++;
      this.prune(e);
    }
  }

  takeChanged(): RouteEntry[] {
    const list = [...this.changed];
    this.changed = new Set();
    return list;
  }

  all(): IterableIterator<RouteEntry> {
    return this.entries.values();
  }

  private prune(e: RouteEntry): void {
    if (!e.empty) return;
    this.entries.delete(`${e.kind}\u0000${e.pattern}`);
    if (e.kind === 'h') this.handlers.remove(e.pattern, e);
    else if (e.kind === 'o') this.observers.remove(e.pattern, e);
  }
}
