import type { Peer } from './peer.js';

/** A peer through which a handler is reachable, and how far away that handler is. */
export interface HandlerCandidate {
  readonly peer: Peer;
  readonly d: number;
}

/**
 * Where messages with one name go: the local handler and observers, the peers with a handler
 * (nearest first, one entry per peer) and the peers with observers. Resolved from the tries on a
 * name's first message and reused until the routes change, so the per-message path does one map
 * lookup instead of four trie walks.
 */
export interface NameRoute<H, O> {
  readonly version: number;
  readonly handler: H | undefined;
  readonly observers: readonly O[];
  readonly handlerPeers: readonly HandlerCandidate[];
  readonly observerPeers: readonly Peer[];
}

/**
 * A bounded cache of resolved routes by name. Overflow policy: when `limit` names are cached the
 * whole cache is dropped and refilled on demand (names with ever-new tokens, such as ids, then
 * cost one resolve each, as without a cache).
 */
export class NameRoutes<H, O> {
  private readonly cache = new Map<string, NameRoute<H, O>>();

  constructor(
    private readonly limit: number,
    private readonly resolve: (name: string, version: number) => NameRoute<H, O>,
  ) {}

  /** The route for `name` as of `version` (any change to routes must change the version). */
  get(name: string, version: number): NameRoute<H, O> {
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.version === version) return cached;
    const route = this.resolve(name, version);
    if (cached === undefined && this.cache.size >= this.limit) this.cache.clear();
    this.cache.set(name, route);
    return route;
  }

  /** Forget every route (a peer left: they are stale, and they hold it). */
  clear(): void {
    this.cache.clear();
  }
}
