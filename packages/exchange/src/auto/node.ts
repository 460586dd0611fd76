/** A computed's function: reads through `_`, may `set` its own value later (callback form). */
export type ComputedFn = (_: any, set: (value: unknown) => void) => unknown;

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
  /** Names read in the latest evaluation, first-read order (computeds only). */
  readonly deps: StateNode[] = [];
  /** Membership index for `deps`, built only when a computed reads many names. */
  depSet: Set<StateNode> | undefined = undefined;
  /** True once evaluation has started at least once, so `$._.deps` has an entry. */
  started = false;
  /** Computeds that read this node in their latest evaluation, in insertion order. */
  readonly dependents = new Set<StateNode>();
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

  /** Record that `dep` was read by this computed's running evaluation (deduplicated). */
  addDep(dep: StateNode): void {
    const deps = this.deps;
    if (deps.length < 16) {
      if (deps.includes(dep)) return;
    } else {
      this.depSet ??= new Set(deps);
      if (this.depSet.has(dep)) return;
      this.depSet.add(dep);
    }
    deps.push(dep);
    dep.dependents.add(this);
  }

  /** Forget the previous evaluation's reads (step 7 of `update`). */
  clearDeps(): void {
    for (const dep of this.deps) dep.dependents.delete(this);
    this.deps.length = 0;
    this.depSet = undefined;
    this.started = true;
  }
}
