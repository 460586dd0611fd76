/**
 * What is in flight, by message id: this exchange's requests waiting for replies, the requests
 * it relays, and those each peer carries. Usually only a few at a time, each added and removed
 * once. A Map is a poor fit for that: V8 builds a new table (through its runtime) whenever a
 * delete leaves a Map under a quarter full, so a Map that goes 0 → 1 → 0 entries, as one request
 * at a time does, made a table per request: the top allocation of a sequential requester
 * (bench/README.md). Here up to SMALL entries live in two fixed arrays, searched in order; past
 * that, a Map holds them until they are all gone. Iteration is in insertion order either way.
 */

/** Entries kept in the arrays before a Map takes over. */
const SMALL = 8;

export class InFlight<V> {
  /** Up to SMALL entries, oldest first, at [0, count); made on the first. */
  private ids: (string | undefined)[] | undefined;
  private values: (V | undefined)[] | undefined;
  private count = 0;
  /** Past SMALL entries, all of them (the arrays are then empty), until none is left. */
  private map: Map<string, V> | undefined;

  get size(): number {
    return this.map === undefined ? this.count : this.map.size;
  }

  get(id: string): V | undefined {
    if (this.map !== undefined) return this.map.get(id);
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.values![i];
  }

  has(id: string): boolean {
    return this.map !== undefined ? this.map.has(id) : this.indexOf(id) >= 0;
  }

  /** Add `id` (last in order), or replace its value where it is. */
  set(id: string, value: V): this {
    if (this.map !== undefined) {
      this.map.set(id, value);
      return this;
    }
    const i = this.indexOf(id);
    if (i >= 0) this.values![i] = value;
    else if (this.count < SMALL) {
      const ids = (this.ids ??= new Array<string | undefined>(SMALL).fill(undefined));
      const values = (this.values ??= new Array<V | undefined>(SMALL).fill(undefined));
      ids[this.count] = id;
      values[this.count++] = value;
    } else {
      this.map = new Map(this.entries());
      this.map.set(id, value);
      this.ids!.fill(undefined);
      this.values!.fill(undefined);
      this.count = 0;
    }
    return this;
  }

  delete(id: string): boolean {
    const map = this.map;
    if (map !== undefined) {
      const had = map.delete(id);
      if (map.size === 0) this.map = undefined; // back to the arrays (once per burst)
      return had;
    }
    const i = this.indexOf(id);
    if (i < 0) return false;
    const ids = this.ids!;
    const values = this.values!;
    const last = --this.count;
    // Later entries move down one: the order stays that of insertion.
    for (let k = i; k < last; k++) {
      ids[k] = ids[k + 1];
      values[k] = values[k + 1];
    }
    ids[last] = undefined;
    values[last] = undefined;
    return true;
  }

  clear(): void {
    this.map = undefined;
    this.ids?.fill(undefined);
    this.values?.fill(undefined);
    this.count = 0;
  }

  /** The ids, oldest first (see `entries`). */
  *keys(): IterableIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  /**
   * [id, value] pairs, oldest first. Deleting entries while iterating is fine (as with a Map);
   * adding is not.
   */
  *entries(): IterableIterator<[string, V]> {
    if (this.map !== undefined) {
      yield* this.map;
      return;
    }
    // A copy (SMALL at most), so that deletes do not move what is still to come; what was
    // deleted meanwhile is passed over.
    const n = this.count;
    const ids = this.ids?.slice(0, n) ?? [];
    const values = this.values?.slice(0, n) ?? [];
    for (let i = 0; i < n; i++) if (this.has(ids[i]!)) yield [ids[i]!, values[i] as V];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  private indexOf(id: string): number {
    const ids = this.ids;
    for (let i = 0; i < this.count; i++) if (ids![i] === id) return i;
    return -1;
  }
}
