/** A computed's function: reads through `_`, may `set` its own value later (callback form). */
export type ComputedFn = (_: any, set: (value: unknown) => void) => unknown;

// Shared empty arrays: statics and leaf computeds never allocate their own (boot cost).
const NO_NODES: StateNode[] = [];
const NO_SLOTS: number[] = [];

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
  /** Names read in the latest evaluation, first-read order (computeds only); `depCount` long. */
  deps: StateNode[] = NO_NODES;
  /** For each dep, the index of this node's entry in that dep's `dependents`. */
  depSlots: number[] = NO_SLOTS;
  depCount = 0;
  /** The previous evaluation's deps while this node is evaluating (see `beginDeps`). */
  prevDeps: (StateNode | null)[] = NO_NODES;
  prevSlots: number[] = NO_SLOTS;
  prevCount = 0;
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
    return this.deps.slice(0, this.depCount);
  }

  /**
   * Start an evaluation: the reference removes this node from every old dep's dependents and
   * appends it again on each read. We keep the old entries until the evaluation ends and reuse an
   * entry when it is still the last one (moving it to the end would change nothing), which is the
   * common case and gives the same order.
   */
  beginDeps(): void {
    const deps = this.deps;
    const slots = this.depSlots;
    // Entries past depCount are stale, never read. A first evaluation's lists are made on its
    // first read, one entry long (a computed reads one or two names, and there are thousands).
    this.deps = this.prevDeps as StateNode[];
    this.depSlots = this.prevSlots;
    this.prevDeps = deps;
    this.prevSlots = slots;
    this.prevCount = this.depCount;
    this.depCount = 0;
    this.depSet = undefined;
    this.started = true;
  }

  /** End an evaluation: drop the entries of old deps that were not read again. */
  endDeps(): void {
    for (let j = 0; j < this.prevCount; j++) {
      const dep = this.prevDeps[j];
      if (dep === null) continue;
      this.prevDeps[j] = null;
      dep.dependents[this.prevSlots[j]] = null;
      if (++dep.dead > 16 && dep.dead * 2 > dep.dependents.length) dep.compact();
    }
    this.prevCount = 0;
  }

  /** Record that `dep` was read by this computed (deduplicated). */
  addDep(dep: StateNode): void {
    const i = this.depCount;
    if (i < 16) {
      for (let j = 0; j < i; j++) if (this.deps[j] === dep) return;
    } else {
      this.depSet ??= new Set(this.depList());
      if (this.depSet.has(dep)) return;
      this.depSet.add(dep);
    }
    let slot: number;
    if (i < this.prevCount && this.prevDeps[i] === dep && dep.moveToEnd(this.prevSlots[i])) {
      slot = this.prevSlots[i];
      this.prevDeps[i] = null; // reused: the entry is now the last one
    } else slot = dep.append(this);
    if (this.deps === NO_NODES) ((this.deps = [dep]), (this.depSlots = [slot]));
    else ((this.deps[i] = dep), (this.depSlots[i] = slot));
    this.depCount = i + 1;
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
    for (let j = 0; j < this.depCount; j++) {
      if (this.deps[j] === dep && this.depSlots[j] === from) this.depSlots[j] = to;
    }
    for (let j = 0; j < this.prevCount; j++) {
      if (this.prevDeps[j] === dep && this.prevSlots[j] === from) this.prevSlots[j] = to;
    }
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
