import { CompactMap, CompactSet } from './compact.js';
import type { Advert } from './link.js';
import { PatternTrie } from './trie.js';

/** The key of a (kind, pattern) route: in the table, and in `Peer.advertised`. */
export function routeKey(kind: Advert['k'], pattern: string): string {
  return `${kind}\u0000${pattern}`;
}

/** Routes farther than this are unreachable: bounds count-to-infinity after a peer leaves. */
export const MAX_HOPS = 16;

/** What the network knows about one (kind, pattern): local presence and distance via each peer. */
export class RouteEntry {
  /** Local handlers/observers for this pattern (0 means none here). */
  local = 0;
  /** Peer id → distance through that peer. */
  readonly via = new CompactMap<string, number>();
  /** How many of `via` are peers that are not leaves: leaves are told only such routes. */
  relayed = 0;
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

  /** Best distance not through a leaf (nor through `except`): what a leaf may be told. */
  bestShared(leaves: ReadonlySet<string>, except?: string): number | null {
    if (this.local > 0) return 0;
    if (this.relayed === 0) return null;
    let best: number | null = null;
    for (const [peer, d] of this.via)
      if (peer !== except && !leaves.has(peer) && (best === null || d < best)) best = d;
    return best;
  }

  get empty(): boolean {
    return this.local === 0 && this.via.size === 0;
  }

  /** Local, or reachable through a peer that is not a leaf. */
  get shared(): boolean {
    return this.local > 0 || this.relayed > 0;
  }
}

/** Entries whose best distance may have changed: for every peer, and for leaves. */
export interface RouteChanges {
  all: RouteEntry[];
  /** The subset a leaf may hear of: local changes and changes through peers that are not leaves. */
  shared: RouteEntry[];
}

/**
 * The routing table: handled patterns, observed patterns and exchange ids, each with a local
 * count and a distance per peer (distance-vector). Name lookups go through token tries, so their
 * cost follows the name, not the number of patterns.
 *
 * Routes learned from leaves (peers that said `leaf: true`: see docs/concepts.md) are kept apart
 * from the rest, so a hub with many leaves can tell each leaf its few shared routes, and find a
 * leaf's routes when it leaves, without walking every leaf's routes.
 */
export class RouteTable {
  private readonly entries = new Map<string, RouteEntry>();
  readonly handlers = new PatternTrie<RouteEntry>();
  readonly observers = new PatternTrie<RouteEntry>();
  /** Peer ids that are leaves. */
  readonly leaves = new Set<string>();
  /** Entries that are local or reachable through a peer that is not a leaf. */
  private readonly sharedEntries = new Set<RouteEntry>();
  /** Peer id → the entries with a route through it (so a peer that leaves costs its own routes). */
  private readonly byPeer = new Map<string, CompactSet<RouteEntry>>();
  /** Keys whose best distance may have changed since the last `takeChanged()`. */
  private changed = new Set<RouteEntry>();
  private changedShared = new Set<RouteEntry>();
  /** Bumped on every change, so per-name lookups cached against it know when to refresh. */
  version = 0;

  entry(kind: Advert['k'], pattern: string, create: true): RouteEntry;
  entry(kind: Advert['k'], pattern: string, create?: false): RouteEntry | undefined;
  entry(kind: Advert['k'], pattern: string, create = false): RouteEntry | undefined {
    const key = routeKey(kind, pattern);
    let e = this.entries.get(key);
    if (!e && create) {
      e = new RouteEntry(kind, pattern);
      this.entries.set(key, e);
      if (kind === 'h') this.handlers.add(pattern, e);
      else if (kind === 'o') this.observers.add(pattern, e);
    }
    return e;
  }

  /**
   * Mark a peer as a leaf (or not). Call it while the table has no routes through the peer:
   * before learning its hello, or after `forgetPeer`.
   */
  setLeaf(peer: string, leaf: boolean): void {
    if (leaf) this.leaves.add(peer);
    else this.leaves.delete(peer);
  }

  addLocal(kind: Advert['k'], pattern: string): void {
    const e = this.entry(kind, pattern, true);
    e.local++;
    this.changedFor(e, true);
  }

  removeLocal(kind: Advert['k'], pattern: string): void {
    const e = this.entry(kind, pattern);
    if (!e || e.local === 0) return;
    e.local--;
    this.changedFor(e, true);
    this.prune(e);
  }

  /** Apply a peer's advertisement; distances at or past MAX_HOPS count as withdrawals. */
  learn(peer: string, advert: Advert): void {
    const d = advert.d === null ? null : advert.d + 1;
    if (d === null || d >= MAX_HOPS) {
      const e = this.entry(advert.k, advert.p);
      if (e) this.unlearn(peer, e);
      return;
    }
    const e = this.entry(advert.k, advert.p, true);
    const before = e.via.get(peer);
    if (before === d) return;
    e.via.set(peer, d);
    const relay = !this.leaves.has(peer);
    if (before === undefined) {
      if (relay) e.relayed++;
      let mine = this.byPeer.get(peer);
      if (!mine) this.byPeer.set(peer, (mine = new CompactSet()));
      mine.add(e);
    }
    this.changedFor(e, relay);
  }

  /** Forget every route through a peer that left (or starts over with a new hello). */
  forgetPeer(peer: string): void {
    const mine = this.byPeer.get(peer);
    if (!mine) return;
    this.byPeer.delete(peer);
    for (const e of mine) this.unlearn(peer, e, false);
  }

  takeChanged(): RouteChanges {
    const changes = { all: [...this.changed], shared: [...this.changedShared] };
    this.changed = new Set();
    this.changedShared = new Set();
    return changes;
  }

  all(): IterableIterator<RouteEntry> {
    return this.entries.values();
  }

  /** Entries a leaf may be told about: local, or through a peer that is not a leaf. */
  shared(): IterableIterator<RouteEntry> {
    return this.sharedEntries.values();
  }

  private unlearn(peer: string, e: RouteEntry, index = true): void {
    if (!e.via.delete(peer)) return;
    const relay = !this.leaves.has(peer);
    if (relay) e.relayed--;
    if (index) this.byPeer.get(peer)?.delete(e);
    this.changedFor(e, relay);
    this.prune(e);
  }

  private changedFor(e: RouteEntry, shared: boolean): void {
    this.changed.add(e);
    if (shared) this.changedShared.add(e);
    if (e.shared) this.sharedEntries.add(e);
    else this.sharedEntries.delete(e);
    this.version++;
  }

  private prune(e: RouteEntry): void {
    if (!e.empty) return;
    this.entries.delete(routeKey(e.kind, e.pattern));
    this.sharedEntries.delete(e);
    if (e.kind === 'h') this.handlers.remove(e.pattern, e);
    else if (e.kind === 'o') this.observers.remove(e.pattern, e);
  }
}
