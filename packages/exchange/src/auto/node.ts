/** A computed's function: reads through `_`, may `set` its own value later (callback form). */
export type ComputedFn = (_: any, set: (value: unknown) => void) => unknown;

/** An entry of a computed's dependency list: a dep, or the slot of its entry in that dep. */
type Pair = StateNode | number | null;

// Shared empty arrays: statics and leaf computeds never allocate their own (boot cost).
const NO_NODES: StateNode[] = [];
const NO_PAIRS: Pair[] = [];

/**
 * One state key. The engine works on nodes, not on the `$._` maps, so the hot path touches
 * plain fields; `$._` shows them through live views in the reference's shape.
 */
export class StateNode {
  /** Current value; meaningful only while `has` is true (`name in $._.value`). */
  value: unknown = undefined;
  has = false;
  /** Value before the running transaction (its snapshot step). */
  old: unknown = undefined;
  /**
   * The names read in the latest evaluation, in first-read order, as pairs: the dep, then the index
   * of this node's entry in that dep's `dependents`. `depCount` pairs long; entries past them are
   * null. One array per computed (a dep list and a slot list per evaluation, current and previous,
   * were four arrays: most of a graph's memory).
   */
  deps: Pair[] = NO_PAIRS;
  depCount = 0;
  /**
   * While evaluating: how many pairs the previous evaluation left. They stay in `deps` while the
   * new evaluation reads the same names in the same order (the usual case); at the first
   * difference the rest are copied to `prev`, which `endDeps` then drops.
   */
  prevCount = 0;
  prev: Pair[] | undefined = undefined;
  /** Membership index for `deps`, built only when a computed reads many names. */
  depSet: Set<StateNode> | undefined = undefined;
  /** True once evaluation has started at least once, so `$._.deps` has an entry. */
  started = false;
  /**
   * Computeds that read this node in their latest evaluation, in the reference's order ("removed,
   * then appended again on the next read"), kept as a ring: the order starts at `head` and wraps
   * around, with `null` tombstones for removed entries (compacted when they outnumber the live
   * ones). Moving the first entry to the end, which is what a transaction re-evaluating the
   * dependents in order does to each, is then `head + 1`: no push, no tombstone, no compaction.
   */
  dependents: (StateNode | null)[] = NO_NODES;
  head = 0;
  dead = 0;
  /** How many times this node is on the evaluation stack (more than once means a circle). */
  onStack = 0;
  /** Transaction stamps: member of the affected set / sort state for that transaction. */
  affectedIn = 0;
  sortedIn = 0;
  changedIn = 0;
  /** `$._.subs[name]`, once something subscribed. */
  subs: Record<string, (value: unknown) => void> | undefined = undefined;
  /** Backed off by the call-rate check: keeps its stale value and is not run. */
  backedOff = false;
  /** `add_static_external`: functions may not read it. */
  externalOnly = false;
  /** `add_dynamic_internal`: outside code may not read it. */
  internalOnly = false;
  /** The `_` proxy handed to this computed, made once. */
  proxy: object | undefined = undefined;
  /** Setter handed to this computed (callback form), made once. */
  setSelf: ((value: unknown) => void) | undefined = undefined;

  constructor(
    readonly name: string,
    /** The user's function for a computed; undefined for a static. */
    readonly fn: ComputedFn | undefined,
  ) {}

  /** The names read in the latest evaluation, in first-read order. */
  depList(): StateNode[] {
    const list: StateNode[] = [];
    for (let j = 0; j < this.depCount; j++) list.push(this.deps[2 * j] as StateNode);
    return list;
  }

  /** The `i`-th name read in the latest evaluation (`i < depCount`). */
  depAt(i: number): StateNode {
    return this.deps[2 * i] as StateNode;
  }

  /**
   * The dep the `i`-th read of a running evaluation probably is: the previous evaluation's `i`-th
   * (null if none or already reused).
   */
  guessDep(i: number): StateNode | null {
    return i < this.prevCount ? ((this.prev ?? this.deps)[2 * i] as StateNode | null) : null;
  }

  /**
   * Start an evaluation: the reference removes this node from every old dep's dependents and
   * appends it again on each read. We keep the old entries until the evaluation ends and reuse an
   * entry when it is still the last one (moving it to the end would change nothing), which is the
   * common case and gives the same order.
   */
  beginDeps(): void {
    this.prevCount = this.depCount;
    this.depCount = 0;
    this.depSet = undefined;
    this.started = true;
  }

  /** End an evaluation: drop the entries of old deps that were not read again. */
  endDeps(): void {
    const deps = this.deps;
    const prev = this.prev;
    if (prev === undefined) {
      // Read in place: the old pairs past the new ones were not read again.
      for (let j = 2 * this.depCount; j < 2 * this.prevCount; j += 2) {
        const dep = deps[j] as StateNode;
        deps[j] = null;
        dep.drop(deps[j + 1] as number);
      }
    } else {
      for (let j = 2 * this.depCount; j < deps.length && deps[j] !== null; j += 2) deps[j] = null;
      for (let j = 0; j < 2 * this.prevCount; j += 2) {
        const dep = prev[j] as StateNode | null;
        if (dep === null) continue;
        prev[j] = null;
        dep.drop(prev[j + 1] as number);
      }
      this.prev = undefined;
    }
    this.prevCount = 0;
  }

  /** Tombstone this node's dependents entry at `slot`. */
  private drop(slot: number): void {
    this.dependents[slot] = null;
    if (++this.dead > 16 && this.dead * 2 > this.dependents.length) this.compact();
  }

  /** Record that `dep` was read by this computed (deduplicated). */
  addDep(dep: StateNode): void {
    const i = this.depCount;
    const deps = this.deps;
    if (i < 16) {
      for (let j = 0; j < 2 * i; j += 2) if (deps[j] === dep) return;
    } else {
      this.depSet ??= new Set(this.depList());
      if (this.depSet.has(dep)) return;
      this.depSet.add(dep);
    }
    let slot: number;
    if (i >= this.prevCount) slot = dep.append(this);
    else {
      let prev = this.prev;
      if (prev === undefined) {
        // The previous evaluation's i-th read, and its entry can stay: the pair is already right.
        if (deps[2 * i] === dep && dep.moveToEnd(deps[2 * i + 1] as number)) {
          this.depCount = i + 1;
          return;
        }
        prev = this.detachPrev(i);
      }
      if (prev[2 * i] === dep && dep.moveToEnd(prev[2 * i + 1] as number)) {
        slot = prev[2 * i + 1] as number;
        prev[2 * i] = null; // reused: the entry is now the last one
      } else slot = dep.append(this);
    }
    if (this.deps === NO_PAIRS) this.deps = [dep, slot];
    else ((this.deps[2 * i] = dep), (this.deps[2 * i + 1] = slot));
    this.depCount = i + 1;
  }

  /** The new reads differ from the old at `i`: keep the old pairs not yet reused apart. */
  private detachPrev(i: number): Pair[] {
    const prev = this.deps.slice(0, 2 * this.prevCount);
    for (let j = 0; j < 2 * i; j += 2) prev[j] = null; // read again in place
    return (this.prev = prev);
  }

  /**
   * Make the live entry at `slot` the last in order if that costs O(1): it is the first entry
   * (advance the ring's head past it) or already the last. Returns false otherwise.
   */
  moveToEnd(slot: number): boolean {
    const list = this.dependents;
    const n = list.length;
    let h = this.head;
    while (list[h] === null) h = h + 1 === n ? 0 : h + 1; // leading tombstones: dead, skip them
    if (slot === h) {
      this.head = h + 1 === n ? 0 : h + 1;
      return true;
    }
    this.head = h;
    let t = h === 0 ? n - 1 : h - 1;
    while (list[t] === null) t = t === 0 ? n - 1 : t - 1;
    return slot === t;
  }

  /** Append `reader` at the end of the order; returns its slot. */
  append(reader: StateNode): number {
    if (this.dependents === NO_NODES) this.dependents = [];
    if (this.head !== 0) this.unwrap();
    return this.dependents.push(reader) - 1;
  }

  /**
   * Make the physical order the logical one before a push: the entries before `head` (the ring's
   * wrapped tail) move to the end, leaving tombstones. Each moves at most once per time it was
   * rotated past, so this is O(1) amortised.
   */
  private unwrap(): void {
    const list = this.dependents;
    for (let k = 0; k < this.head; k++) {
      const reader = list[k];
      if (reader === null) continue;
      list[k] = null;
      this.dead++;
      reader.moveSlot(this, k, list.push(reader) - 1);
    }
    this.head = 0;
  }

  /** The entry for `dep` (current or previous evaluation) moved from slot `from` to `to`. */
  private moveSlot(dep: StateNode, from: number, to: number): void {
    const prev = this.prev;
    // Old pairs not yet read again are still in `deps` until a difference detaches them.
    const end = 2 * (prev === undefined ? Math.max(this.depCount, this.prevCount) : this.depCount);
    fixSlot(this.deps, end, dep, from, to);
    if (prev !== undefined) fixSlot(prev, 2 * this.prevCount, dep, from, to);
  }

  /** Remove tombstones and unwrap the ring, fixing the slot each reader keeps for this node. */
  compact(): void {
    const live: StateNode[] = [];
    const list = this.dependents;
    const n = list.length;
    for (let k = 0; k < n; k++) {
      const oldSlot = (this.head + k) % n;
      const reader = list[oldSlot];
      if (reader !== null) reader.moveSlot(this, oldSlot, live.push(reader) - 1);
    }
    this.dependents = live;
    this.head = 0;
    this.dead = 0;
  }

  /** Live dependents, in order. */
  dependentList(): StateNode[] {
    const list = this.dependents;
    const n = list.length;
    const live: StateNode[] = [];
    for (let k = 0; k < n; k++) {
      const reader = list[(this.head + k) % n];
      if (reader !== null) live.push(reader);
    }
    return live;
  }
}

function fixSlot(pairs: Pair[], end: number, dep: StateNode, from: number, to: number): void {
  for (let j = 0; j < end; j += 2) if (pairs[j] === dep && pairs[j + 1] === from) pairs[j + 1] = to;
}
