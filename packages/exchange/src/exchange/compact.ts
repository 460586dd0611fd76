/**
 * A Map and a Set that hold their first entry in fields and make the real collection only for a
 * second one (kept from then on, so iteration stays in insertion order). A hub holds several of
 * each per idle peer with a single entry: its id's route and the peer it goes through, the
 * routes advertised to it, its pattern in the route trie. An empty Map or Set with its table is
 * ~180 bytes; one of these is 40.
 */
export class CompactMap<K, V> implements Iterable<[K, V]> {
  private count = 0;
  private key: K | undefined = undefined;
  private value: V | undefined = undefined;
  private map: Map<K, V> | undefined = undefined;

  get size(): number {
    return this.map ? this.map.size : this.count;
  }

  get(key: K): V | undefined {
    if (this.map) return this.map.get(key);
    return this.count === 1 && key === this.key ? this.value : undefined;
  }

  has(key: K): boolean {
    if (this.map) return this.map.has(key);
    return this.count === 1 && key === this.key;
  }

  set(key: K, value: V): this {
    if (this.map) this.map.set(key, value);
    else if (this.count === 0 || key === this.key) {
      this.count = 1;
      this.key = key;
      this.value = value;
    } else {
      this.map = new Map([
        [this.key as K, this.value as V],
        [key, value],
      ]);
      this.forget();
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.map) return this.map.delete(key);
    if (this.count === 0 || key !== this.key) return false;
    this.forget();
    return true;
  }

  clear(): void {
    this.map = undefined;
    this.forget();
  }

  keys(): IterableIterator<K> {
    if (this.map) return this.map.keys();
    return (this.count === 1 ? [this.key as K] : []).values();
  }

  entries(): IterableIterator<[K, V]> {
    if (this.map) return this.map.entries();
    return (this.count === 1 ? [[this.key as K, this.value as V] as [K, V]] : []).values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  private forget(): void {
    this.count = 0;
    this.key = undefined;
    this.value = undefined;
  }
}

/**
 * See CompactMap: one value in a field, a few in an array (a hub's leaf has two routes, its id
 * and the name it observes), more in a Set. Order is insertion order throughout.
 */
export class CompactSet<T> implements Iterable<T> {
  private count = 0;
  private one: T | undefined = undefined;
  private few: T[] | undefined = undefined;
  private set: Set<T> | undefined = undefined;

  get size(): number {
    return this.set ? this.set.size : this.few ? this.few.length : this.count;
  }

  has(value: T): boolean {
    if (this.set) return this.set.has(value);
    if (this.few) return this.few.includes(value);
    return this.count === 1 && value === this.one;
  }

  add(value: T): this {
    if (this.set) this.set.add(value);
    else if (this.few) {
      if (this.few.includes(value)) return this;
      if (this.few.length < MAX_FEW) this.few.push(value);
      else {
        this.set = new Set(this.few).add(value);
        this.few = undefined;
      }
    } else if (this.count === 0) {
      this.count = 1;
      this.one = value;
    } else if (value !== this.one) {
      this.few = [this.one as T, value];
      this.count = 0;
      this.one = undefined;
    }
    return this;
  }

  delete(value: T): boolean {
    if (this.set) return this.set.delete(value);
    if (this.few) {
      const i = this.few.indexOf(value);
      if (i < 0) return false;
      this.few.splice(i, 1);
      return true;
    }
    if (this.count === 0 || value !== this.one) return false;
    this.count = 0;
    this.one = undefined;
    return true;
  }

  values(): IterableIterator<T> {
    if (this.set) return this.set.values();
    if (this.few) return this.few.values();
    return (this.count === 1 ? [this.one as T] : []).values();
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.values();
  }
}

/** Most values a CompactSet keeps in an array (linear lookups) before it makes a Set. */
const MAX_FEW = 8;
