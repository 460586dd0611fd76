/**
 * What an exchange tells each peer about its routes (distance vector, spec/protocol.md §5.2):
 * the hello's snapshot, the changes after it, and a new peer's catch-up. Each peer remembers
 * the distances it was last told (`Peer.advertised`), so only changes go out; a leaf is told
 * only routes not learned from leaves (§5.2.1).
 */
import type { Advert } from './link.js';
import type { Peer } from './peer.js';
import { routeKey, type RouteEntry, type RouteTable } from './routes.js';

/**
 * The hello's adverts. Whether the peer is a leaf is not known yet, so it carries what a leaf
 * may hear (a hub's hello stays small however many leaves it has); a peer that turns out not to
 * be a leaf gets the rest at once (`syncPeer`).
 * @param except - a peer whose own routes are not echoed back to it (a reconnection's hello).
 */
export function helloAdverts(routes: RouteTable, except?: string): Advert[] {
  const adverts: Advert[] = [];
  for (const e of routes.shared()) {
    const d = e.bestShared(routes.leaves, except);
    if (d !== null) adverts.push({ k: e.kind, p: e.pattern, d });
  }
  return adverts;
}

/** The hello told the peer `snapshot`; later changes are diffed against it. */
export function resetAdvertised(peer: Peer, snapshot: Advert[]): void {
  peer.advertised.clear();
  for (const a of snapshot) peer.advertised.set(routeKey(a.k, a.p), a.d!);
}

/** Tell `peer` the distances of `entries` that changed since it was last told. */
export function advertiseTo(routes: RouteTable, peer: Peer, entries: Iterable<RouteEntry>): void {
  for (const e of entries) {
    const key = routeKey(e.kind, e.pattern);
    const d = peer.leaf ? e.bestShared(routes.leaves, peer.id) : e.best(peer.id);
    if (d === (peer.advertised.get(key) ?? null)) continue;
    if (d === null) peer.advertised.delete(key);
    else peer.advertised.set(key, d);
    peer.advertise({ k: e.kind, p: e.pattern, d });
  }
}

/**
 * A new peer heard our hello, a snapshot: send what changed since it was taken (routes that
 * came or went while the peer's hello was on its way never reached it as a change).
 */
export function syncPeer(routes: RouteTable, peer: Peer): void {
  advertiseTo(routes, peer, [...(peer.leaf ? routes.shared() : routes.all())]);
  for (const key of [...peer.advertised.keys()]) {
    const k = key[0] as Advert['k'];
    const p = key.slice(2);
    if (routes.entry(k, p)) continue;
    peer.advertised.delete(key);
    peer.advertise({ k, p, d: null });
  }
}
