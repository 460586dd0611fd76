/**
 * Peer id → distance, for one route: the part of a Map the route table uses, without a Map's
 * table while one peer is all there is. At a hub, that is nearly every route: each leaf's own
 * id and patterns, reachable through that leaf alone, and a Map with one entry costs ~180 bytes.
 * From a second peer on it is a Map (kept once made), so iteration stays in insertion order.
 */
export class Distances implements Iterable<[string, number]> {
  /** The one peer while there is no map. */
  private peer: string | undefined = undefined;
  private distance = 0;
  private map: Map<string, number> | undefined = undefined;

  get size(): number {
    return this.map ? this.map.size : this.peer === undefined ? 0 : 1;
  }

  get(peer: string): number | undefined {
    if (this.map) return this.map.get(peer);
    return peer === this.peer ? this.distance : undefined;
  }

  set(peer: string, distance: number): this {
    if (this.map) this.map.set(peer, distance);
    else if (this.peer === undefined || this.peer === peer) {
      this.peer = peer;
      this.distance = distance;
    } else {
      this.map = new Map([
        [this.peer, this.distance],
        [peer, distance],
      ]);
      this.peer = undefined;
    }
    return this;
  }

  delete(peer: string): boolean {
    if (this.map) return this.map.delete(peer);
    if (peer !== this.peer) return false;
    this.peer = undefined;
    return true;
  }

  keys(): IterableIterator<string> {
    if (this.map) return this.map.keys();
    return (this.peer === undefined ? [] : [this.peer]).values();
  }

  entries(): IterableIterator<[string, number]> {
    if (this.map) return this.map.entries();
    return (
      this.peer === undefined ? [] : [[this.peer, this.distance] as [string, number]]
    ).values();
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }
}
