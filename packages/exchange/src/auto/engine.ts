import type { Channel, Kernel, KernelHooks } from '../kernel/index.js';
import { deepEqual } from './deep-equal.js';
import type { AutoLogger } from './logger.js';
import { LagTimer } from './lag-timer.js';
import { StateNode, type ComputedFn } from './node.js';
import type { ResolvedOptions } from './options.js';
import type { FatalState, Internals, Trace, Trigger } from './types.js';
import { depsView, valueView } from './views.js';

/** Optional observers of evaluation, plugged in by call-rate checking and counters. */
export interface EngineMonitor {
  /** Before a computed runs; `false` skips it (backed off). */
  beforeRun(node: StateNode): boolean;
  /** After the node was pushed on the stack (the call-rate check). */
  afterPush(node: StateNode): void;
  /** An accepted external write. */
  onSet(node: StateNode, old: unknown): void;
  /** A computed's value was cleared by a transaction. */
  onClear(node: StateNode): void;
  /** A transaction finished; `trace()` builds its trace (costly: call only when needed). */
  onTransaction(
    id: number,
    triggers: Trigger[],
    affected: number,
    changed: number,
    trace: () => Trace,
  ): void;
}

/** The key of the node in its `_` proxy's target (a symbol: no name read through `_` can clash). */
const NODE = Symbol('auto.node');
/** A class, not a literal: its instances hold one field (a literal with a computed key has room for four). */
class ProxyTarget {
  readonly [NODE]: StateNode;
  constructor(node: StateNode) {
    this[NODE] = node;
  }
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (isObject(v) || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/**
 * What the last transaction changed, kept cheaply so its trace can be built only when someone
 * looks. One per engine, overwritten by each transaction (id 0: none yet).
 */
interface TxnRecord {
  id: number;
  timestamp: number;
  /** Undefined for a plain write on the direct path: built from `one` only if a trace is. */
  triggers: Trigger[] | undefined;
  /** The written node and value, when `triggers` was not made. */
  one: StateNode | undefined;
  oneValue: unknown;
  /** The changed nodes and their values at the end of the transaction: node, value, node, … */
  changes: unknown[];
  /** How many entries of `changes` are this transaction's (the list is reused: see finish). */
  changeCount: number;
}

/**
 * The longest affected list an engine keeps for its next transaction (and twice that for
 * changes): a big one would stay in the heap for the engine's life.
 */
const SPARE_LIMIT = 128;
/**
 * Longer lists are kept for the next transaction of any engine instead (a transaction is
 * synchronous, so one of each is enough; a nested one makes its own). They are cleared when given
 * back, so they hold no engine's nodes or values; they are kept up to this length.
 */
const SHARED_LIMIT = 8192;
const shared: { affected: StateNode[] | undefined; changes: unknown[] | undefined } = {
  affected: undefined,
  changes: undefined,
};

/** A transaction's trace: `updates` holds the new values of the computeds that changed. */
function traceOf(txn: TxnRecord): Trace {
  const updates: Record<string, unknown> = {};
  const changes = txn.changes;
  for (let i = 0; i < txn.changeCount; i += 2) {
    const n = changes[i] as StateNode;
    if (n.fn !== undefined) updates[n.name] = changes[i + 1]; // static triggers are not updates
  }
  txn.timestamp ||= Date.now(); // 0 until a trace is built: the clock is read only then
  return { id: txn.id, timestamp: txn.timestamp, triggers: triggersOf(txn), updates };
}

function triggersOf(txn: TxnRecord): Trigger[] {
  return (txn.triggers ??= [{ name: txn.one!.name, value: txn.oneValue }]);
}

/** The engine behind a `$._` (for its `fn` getter). */
const ENGINE_OF = Symbol('auto.internals');

/**
 * `$._.fn`'s getter, shared by every instance: a closure per instance made a map per instance in V8,
 * whose transitions kept every instance alive until a full collection ((d) 0.55 -> 0.7 ms).
 */
function fnGetter(this: { [ENGINE_OF]: AutoEngine }): Internals['fn'] {
  return this[ENGINE_OF].fns();
}

/**
 * `$._`: `{ subs, fn, deps, value, fatal }` in that order, `fn` an accessor (the record is made on
 * first use), the engine under a hidden symbol.
 */
function internalsOf(engine: AutoEngine): Internals {
  const internals = { subs: engine.subs } as Internals;
  Object.defineProperty(internals, 'fn', { get: fnGetter, enumerable: true, configurable: true });
  internals.deps = depsView(engine.nodes);
  internals.value = valueView(engine.nodes);
  internals.fatal = engine.fatal;
  Object.defineProperty(internals, ENGINE_OF, { value: engine });
  return internals;
}

/** Where an error thrown by a handler goes: the kernel's `onError`, as a signal would send it. */
export type SignalErrorRoute = (error: unknown, name: string, value: unknown) => void;

/**
 * The reactive engine of one `auto` instance. Every state operation is a kernel signal
 * (`<prefix>run`, `read`, `get`, `set`, `circle`, `txn`, `resolve`, `notify`, `fatal`, `flush`),
 * so kernel hooks observe all of it; the handlers below are those signals' implementations.
 *
 * The fast path: when the instance runs on a kernel of its own (no `opt.kernel`), nothing but
 * this engine holds that kernel, so while no hook is installed (`onTransaction` installs one) no
 * one can see a signal. Then the engine calls its handlers directly, with the kernel's error route
 * (a handler that throws is reported to the same `onError` and returns `undefined`). The moment a
 * hook is installed every operation goes through the kernel again, exactly as before.
 */
export class AutoEngine {
  readonly nodes = new Map<string, StateNode>();
  /** The nodes of `obj`'s keys, in order: what the shared accessors of `$` index. */
  readonly bootNodes: StateNode[] = [];
  /**
   * `$._.fn`, made on first use: a record of a thousand names is a dictionary of ~48 bytes per
   * entry, and most programs never look. Until then the fatal handler and the computeds added after
   * boot (name, fn, …) are kept so the record gets the same keys, values and order as if it had
   * been filled all along: boot computeds, `'#fatal'`, then later additions.
   */
  private fnRecord: Internals['fn'] | undefined = undefined;
  private fatalHandler: ((e: unknown) => void) | undefined = undefined;
  private lateFns: unknown[] = [];
  readonly subs: Internals['subs'] = {};
  readonly fatal: FatalState = {};
  readonly internals: Internals;
  /** The evaluation stack (names); not exposed as `$._.stack`. */
  readonly stack: string[] = [];
  fatalSet = false;
  root: unknown = undefined;
  private readonly lastTxn: TxnRecord = {
    id: 0,
    timestamp: 0,
    triggers: [],
    one: undefined,
    oneValue: undefined,
    changes: [],
    changeCount: 0,
  };
  /**
   * Lists a finished transaction no longer needs, kept for the next one (a write then allocates
   * nothing): the affected list, and the previous transaction's changes once no subscriber loop
   * iterates them (`notifying`).
   */
  private spareAffected: StateNode[] | undefined = undefined;
  private spareChanges: unknown[] | undefined = undefined;
  private notifying = 0;
  /** Set once anything subscribed: until then a transaction has no subscribers to look for. */
  private subscribed = false;
  /** How many entries of the affected list `invalidate` filled. */
  private affectedCount = 0;
  private lastTraceBuilt: Trace | undefined = undefined;
  /** Callers that use the trace `txn` returns (batch, flush): build it even when unobserved. */
  private traceWanted = 0;
  monitor: EngineMonitor | undefined = undefined;

  private txnCounter = 0;
  private inBatch = false;
  private batchTriggers: Trigger[] = [];
  private pending: Trigger[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private armed = false;
  private readonly lagTimer: LagTimer | undefined;
  private readonly watching: boolean;
  /** True while no one can observe a signal (see the class comment): handlers are called directly. */
  private unobserved: boolean;
  /** Set by `invalidate` when it reaches a computed twice (the visit order may then be wrong). */
  private linked = false;
  private hooks = 0;

  private readonly runSignal: Channel;
  private readonly readSignal: Channel;
  private readonly getSignal: Channel;
  private readonly setSignal: Channel;
  private readonly circleSignal: Channel;
  private readonly txnSignal: Channel;
  private readonly resolveSignal: Channel;
  private readonly notifySignal: Channel;
  private readonly fatalSignal: Channel;
  private readonly flushSignal: Channel;
  private readonly prefix: string;

  /**
   * @param privateRoute set when `kernel` is this instance's own (unreachable from outside): its
   *   `onError`. Enables the direct path while no hook is installed.
   */
  constructor(
    private readonly kernel: Kernel,
    readonly opt: ResolvedOptions,
    readonly logger: AutoLogger,
    private readonly privateRoute?: SignalErrorRoute,
  ) {
    this.internals = internalsOf(this);
    this.lagTimer =
      opt.reportLag === 0
        ? undefined
        : new LagTimer(opt.reportLag, (node, ms) => this.reportLag(node, ms));
    this.unobserved = privateRoute !== undefined;
    this.watching = Object.keys(opt.watch).length > 0;
    const p = (this.prefix = opt.signalPrefix);
    const bind = (name: string, handler: (value: any, detail: any) => unknown): Channel => {
      kernel.handle(p + name, handler, { immediate: true });
      return kernel.channel(p + name);
    };
    this.runSignal = bind('run', (node: StateNode) => this.update(node));
    this.readSignal = bind('read', (dep: StateNode, reader: StateNode) =>
      this.readInside(dep, reader),
    );
    this.getSignal = bind('get', (node: StateNode) => this.readOutside(node));
    this.setSignal = bind('set', (node: StateNode, value: unknown) => this.write(node, value));
    this.circleSignal = bind('circle', (node: StateNode) => node.onStack > 1);
    this.txnSignal = bind('txn', (triggers: Trigger[]) => this.propagate(triggers));
    this.resolveSignal = bind('resolve', (node: StateNode, value: unknown) =>
      this.resolved(node, value),
    );
    this.notifySignal = bind('notify', (node: StateNode) => this.notifySubscribers(node));
    this.fatalSignal = bind('fatal', (msg: unknown) => this.failNow(msg));
    this.flushSignal = bind('flush', () => this.flushPending());
  }

  /**
   * Install kernel hooks on this instance's kernel. The only way to reach a private kernel, so the
   * engine knows when someone starts (and stops) observing it.
   */
  hook(hooks: KernelHooks): () => void {
    const remove = this.kernel.hook(hooks);
    this.hooks++;
    this.unobserved = false;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      remove();
      this.unobserved = --this.hooks === 0 && this.privateRoute !== undefined;
    };
  }

  /** The kernel's name for one of this instance's signals (`auto.txn`, …). */
  signalName(name: string): string {
    return this.prefix + name;
  }

  // ---- the signals: through the kernel, or directly while unobserved ---------------------------

  /** `run`: evaluate a computed. */
  run(node: StateNode): void {
    if (!this.unobserved) return void this.runSignal(node);
    try {
      this.update(node);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'run', node);
    }
  }

  /** `get`: an outside read. */
  get(node: StateNode): unknown {
    if (!this.unobserved) return this.getSignal(node);
    try {
      return this.readOutside(node);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'get', node);
      return undefined;
    }
  }

  /** `set`: an outside write. */
  set(node: StateNode, value: unknown): void {
    if (!this.unobserved) return void this.setSignal(node, value);
    try {
      this.write(node, value);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'set', node);
    }
  }

  /** `read`: a dependency read by `reader`. */
  private read(dep: StateNode, reader: StateNode): unknown {
    if (!this.unobserved) return this.readSignal(dep, reader);
    try {
      return this.readInside(dep, reader);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'read', dep);
      return undefined;
    }
  }

  /** `txn`: one transaction over `triggers`. */
  private txn(triggers: Trigger[]): Trace | undefined {
    if (!this.unobserved) return this.txnSignal(triggers) as Trace | undefined;
    try {
      return this.propagate(triggers);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'txn', triggers);
      return undefined;
    }
  }

  /** `notify`: the subscribers of one name. */
  private notify(node: StateNode): void {
    if (!this.unobserved) return void this.notifySignal(node);
    try {
      this.notifySubscribers(node);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'notify', node);
    }
  }

  /** `flush`: run the pending auto-batch. */
  private flush(): Trace | undefined {
    if (!this.unobserved) return this.flushSignal() as Trace | undefined;
    try {
      return this.flushPending();
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'flush', undefined);
      return undefined;
    }
  }

  // ---- registration -------------------------------------------------------------------------

  addStatic(name: string, value: unknown): StateNode {
    let node = this.nodes.get(name);
    if (!node) this.nodes.set(name, (node = new StateNode(name, undefined)));
    node.value = value;
    node.has = true;
    return node;
  }

  addComputed(name: string, fn: ComputedFn | undefined): StateNode {
    const node = new StateNode(name, fn);
    this.nodes.set(name, node);
    // The target only holds the node for the traps, which hide it, like an empty object. A small
    // target (not the node itself) makes the get trap's invariant check, a lookup of the read
    // name among the target's own properties, cheap: every dependency read pays it.
    node.proxy = new Proxy(new ProxyTarget(node), this.proxyTraps);
    if (!fn) return node;
    if (this.fnRecord) this.fnRecord[name] = fn;
    else if (this.fatalHandler) this.lateFns.push(name, fn); // (boot's are in bootNodes)
    return node;
  }

  /** `$._.fn`: the functions by name (made now if nobody looked before). */
  fns(): Internals['fn'] {
    if (this.fnRecord) return this.fnRecord;
    const record: Internals['fn'] = {};
    for (const node of this.bootNodes) if (node.fn) record[node.name] = node.fn;
    if (this.fatalHandler) record['#fatal'] = this.fatalHandler;
    const late = this.lateFns;
    for (let i = 0; i < late.length; i += 2) record[late[i] as string] = late[i + 1] as ComputedFn;
    this.lateFns = [];
    return (this.fnRecord = record);
  }

  /** Set `'#fatal'` once the boot keys are in (it follows them in `$._.fn`). */
  setFatalHandler(handler: (e: unknown) => void): void {
    this.fatalHandler = handler;
    if (this.fnRecord) this.fnRecord['#fatal'] = handler;
  }

  /** The `_` handed to every computed of this instance: reads record deps, writes are fatal. */
  private readonly proxyTraps: ProxyHandler<ProxyTarget> = {
    get: (target, prop) => this.readThrough(target[NODE], prop),
    set: (target, prop) => {
      this.fail(`function ${target[NODE].name} is trying to change value ${String(prop)}`);
      return true;
    },
    has: () => false,
    ownKeys: () => [],
    getPrototypeOf: () => Object.prototype, // like the reference's empty target
    getOwnPropertyDescriptor: () => undefined,
  };

  // ---- evaluation (spec §5, §6) ---------------------------------------------------------------

  private update(node: StateNode): void {
    if (node.has && node.value) return;
    if (this.monitor && !this.monitor.beforeRun(node)) return;
    if (this.fatalSet) return;
    this.stack.push(node.name);
    node.onStack++;
    if (this.monitor) {
      this.monitor.afterPush(node);
      if (this.fatalSet) return; // the reference leaves the stack as it is here
    }
    if (this.unobserved ? node.onStack > 1 : this.circleSignal(node)) {
      return this.fail('circular dependency');
    }
    node.beginDeps();
    const lag = this.lagTimer;
    const started = lag ? lag.start(this.stack.length > 1) : 0;
    const result = this.call(node);
    node.endDeps();
    node.value = result;
    if (isThenable(result)) this.whenResolved(node, result);
    node.has = true; // stored even when fatal became set during the call (spec §5.9)
    if (lag) {
      lag.end(node, started);
      if (this.watching && node.name in this.opt.watch) {
        this.logger.log('[update]', node.name, node.value);
      }
    }
    this.stack.pop();
    node.onStack--;
  }

  private whenResolved(node: StateNode, result: PromiseLike<unknown>): void {
    result.then((v) => {
      if (!this.unobserved) return void this.resolveSignal(node, v);
      try {
        this.resolved(node, v);
      } catch (e) {
        this.privateRoute!(e, this.prefix + 'resolve', node);
      }
    });
  }

  private call(node: StateNode): unknown {
    if (this.fatalSet) return undefined;
    try {
      return node.fn!(node.proxy, node.setSelf ?? this.makeSetter(node));
    } catch (e) {
      this.logger.error(`EXCEPTION in ${node.name}`, this.depValues(node));
      if (!this.fatalSet) this.fail({ msg: `exception in ${node.name}`, e });
      this.logger.error(e);
      return undefined;
    }
  }

  /**
   * The callback form's `set`, made once per computed (outside `call`, which then allocates
   * nothing). A bound function: 48 bytes, where a closure and its context took about 100.
   */
  private makeSetter(node: StateNode): (value: unknown) => void {
    return (node.setSelf = this.set.bind(this, node));
  }

  private reportLag(node: StateNode, ms: number): void {
    this.logger.log(`${node.name} took ${Math.round(ms)} ms`);
  }

  /** A read through a computed's `_`: lazily evaluates, then records the dependency. */
  private readThrough(reader: StateNode, prop: string | symbol): unknown {
    // Usually the i-th read is the i-th read of the last run: skip the name lookup then.
    let dep = reader.guessDep(reader.depCount) ?? undefined;
    if (dep?.name !== prop) dep = typeof prop === 'string' ? this.nodes.get(prop) : undefined;
    if (dep === undefined || !dep.has) {
      if (dep?.fn === undefined) {
        this.fail(
          `function ${reader.name} is trying to access non-existent variable ${String(prop)}`,
        );
        return undefined;
      }
      this.run(dep);
    }
    return this.read(dep, reader);
  }

  private readInside(dep: StateNode, reader: StateNode): unknown {
    if (this.fatalSet) return undefined;
    if (dep.internalOnly) return this.fail(`External read of internal function '${dep.name}'`);
    if (dep.externalOnly)
      return this.fail(`Function '${reader.name}' tried to access external variable '${dep.name}'`);
    reader.addDep(dep);
    return dep.value;
  }

  // ---- outside access (spec §7) ---------------------------------------------------------------

  private readOutside(node: StateNode): unknown {
    if (this.fatalSet) return undefined;
    if (this.pending.length > 0) this.flushPending();
    if (node.internalOnly) return this.fail(`External read of internal function '${node.name}'`);
    return node.has ? node.value : undefined;
  }

  private write(node: StateNode, value: unknown): void {
    if (this.fatalSet) return;
    if (!node.has) {
      this.logger.trace(`outside code trying to set unknown variable ${node.name}`);
      return this.fail(`outside code trying to set unknown variable ${node.name}`);
    }
    const old = node.value;
    if (!old && !value) return;
    if (old === value && !isObject(value)) return;
    node.value = value;
    this.monitor?.onSet(node, old);
    if (this.inBatch) this.batchTriggers.push({ name: node.name, value });
    else if (this.opt.autoBatch) this.queue({ name: node.name, value });
    else if (this.unobserved && this.monitor === undefined) this.txnOne(node, value);
    else this.txn([{ name: node.name, value }]);
  }

  /**
   * A plain write's transaction on the direct path: no trigger list is made unless a trace is
   * built (no one else can see it: no hook, no monitor).
   */
  private txnOne(node: StateNode, value: unknown): void {
    try {
      this.transact(undefined, node, value);
    } catch (e) {
      this.privateRoute!(e, this.prefix + 'txn', [{ name: node.name, value }]);
    }
  }

  // ---- batching (spec §9) ---------------------------------------------------------------------

  private queue(trigger: Trigger): void {
    this.pending.push(trigger);
    // A debounce: every write restarts the delay. `refresh` re-arms Node's timer without a new one.
    const refreshable = this.timer as { refresh?: () => unknown } | undefined;
    if (this.armed && typeof refreshable?.refresh === 'function') refreshable.refresh();
    else {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), this.opt.autoBatchDelay);
    }
    this.armed = true;
  }

  /** `$.flush()`: run a pending auto-batch now, if one is armed. */
  flushIfArmed(): void {
    if (this.armed) this.flush();
  }

  private flushPending(): Trace | undefined {
    if (this.armed) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.armed = false;
    }
    if (this.pending.length === 0) return undefined;
    const triggers = this.pending;
    this.pending = [];
    return this.txnWithTrace(triggers);
  }

  batch(fn: () => void): Trace | undefined {
    if (this.inBatch) return void fn();
    this.inBatch = true;
    this.batchTriggers = [];
    try {
      fn();
    } finally {
      this.inBatch = false;
    }
    const triggers = this.batchTriggers;
    this.batchTriggers = [];
    return triggers.length > 0 ? this.txnWithTrace(triggers) : undefined;
  }

  /** The last transaction's trace (built now if nobody needed it then). */
  get lastTrace(): Trace | undefined {
    if (this.lastTxn.id > 0 && this.lastTraceBuilt?.id !== this.lastTxn.id) {
      this.lastTraceBuilt = traceOf(this.lastTxn);
    }
    return this.lastTraceBuilt;
  }

  private txnWithTrace(triggers: Trigger[]): Trace | undefined {
    this.traceWanted++;
    try {
      return this.txn(triggers);
    } finally {
      this.traceWanted--;
    }
  }

  // ---- one transaction (spec §8) --------------------------------------------------------------

  private propagate(triggers: Trigger[]): Trace | undefined {
    // One trigger (a plain write) needs no list of its node.
    const only = triggers.length === 1 ? this.nodes.get(triggers[0].name) : undefined;
    return this.transact(triggers, only, undefined);
  }

  /** A transaction over `triggers`, or over the write of `onlyValue` to `only` if none. */
  private transact(
    triggers: Trigger[] | undefined,
    only: StateNode | undefined,
    onlyValue: unknown,
  ): Trace | undefined {
    const id = ++this.txnCounter;
    let affected = this.spareAffected;
    this.spareAffected = undefined;
    if (affected === undefined) ((affected = shared.affected ?? []), (shared.affected = undefined));
    this.linked = false;
    this.affectedCount = 0;
    if (only) this.invalidate(only, id, affected);
    else
      for (const t of triggers!) {
        const node = this.nodes.get(t.name);
        if (node) this.invalidate(node, id, affected);
      }
    // Without an edge between affected nodes, the topological order is the visit order.
    // The lists are reused, so only their first `count` entries are this transaction's.
    const count = this.affectedCount;
    const sorted = this.linked ? this.sort(affected, count, id, []) : affected;
    const monitor = this.monitor;
    for (let i = 0; i < count; i++) {
      const n = sorted[i];
      n.old = n.value;
      if (n.backedOff) continue;
      ((n.has = false), (n.value = undefined));
      monitor?.onClear(n);
    }
    for (let i = 0; i < count; i++) {
      const n = sorted[i];
      if (n.fn !== undefined && !n.has) this.run(n);
    }
    const trace = this.finish(id, triggers, only, onlyValue, sorted, count);
    if (count <= SPARE_LIMIT) this.spareAffected = affected;
    else if (count <= SHARED_LIMIT) {
      (affected as unknown[]).fill(undefined, 0, count);
      shared.affected = affected;
    }
    return trace;
  }

  /** Steps 6–10 of a transaction: what changed, the trace, subscribers, `opt.trace`. */
  private finish(
    id: number,
    triggers: Trigger[] | undefined,
    only: StateNode | undefined,
    onlyValue: unknown,
    sorted: StateNode[],
    count: number,
  ): Trace | undefined {
    let changes = this.spareChanges; // node, value, node, value, …
    this.spareChanges = undefined;
    if (changes === undefined) ((changes = shared.changes ?? []), (shared.changes = undefined));
    let c = 0;
    if (only) ((only.changedIn = id), (changes[c++] = only), (changes[c++] = only.value));
    else
      for (const t of triggers!) {
        const node = this.nodes.get(t.name);
        if (node && node.changedIn !== id) {
          ((node.changedIn = id), (changes[c++] = node), (changes[c++] = node.value));
        }
      }
    for (let i = 0; i < count; i++) {
      const n = sorted[i];
      if (n.changedIn === id || !this.differs(n.old, n.value)) continue;
      n.changedIn = id;
      ((changes[c++] = n), (changes[c++] = n.value));
    }
    // The clock costs as much as a small transaction: it is read only when the trace is built.
    const txn = this.lastTxn;
    const previous = txn.changes;
    const previousCount = txn.changeCount;
    ((txn.id = id), (txn.timestamp = 0), (txn.triggers = triggers), (txn.changes = changes));
    ((txn.one = only), (txn.oneValue = onlyValue), (txn.changeCount = c));
    // A trace copies what it needs, so the previous list is free unless a loop below iterates it
    // (its values are dropped, not to keep them alive).
    if (this.notifying === 0 && previousCount <= 2 * SPARE_LIMIT) {
      for (let i = 1; i < previousCount; i += 2) previous[i] = undefined;
      this.spareChanges = previous;
    } else if (this.notifying === 0 && previousCount <= 2 * SHARED_LIMIT) {
      previous.fill(undefined, 0, previousCount);
      shared.changes = previous;
    }
    // Building `updates` (a map of every changed name) is the costliest part of a small
    // transaction: do it only when a trace callback, a kernel hook or the caller will see it.
    // (While unobserved the kernel has no hook: no need to ask it.)
    const wanted =
      this.opt.trace !== undefined ||
      this.traceWanted > 0 ||
      (!this.unobserved && this.kernel.hooked);
    const trace = wanted ? traceOf(txn) : undefined;
    this.lastTraceBuilt = trace;
    if (this.subscribed) this.notifyChanges(changes, c);
    if (this.monitor) {
      const all = triggers ?? [{ name: only!.name, value: onlyValue }]; // (never: see write)
      this.monitorTransaction(id, all, count, c / 2, trace);
    }
    if (trace) this.opt.trace?.(trace);
    return trace;
  }

  /** Step 8: the subscribers of each changed name, in order. */
  private notifyChanges(changes: unknown[], count: number): void {
    this.notifying++;
    try {
      for (let i = 0; i < count; i += 2) {
        const n = changes[i] as StateNode;
        if (n.subs !== undefined) this.notify(n);
      }
    } finally {
      this.notifying--;
    }
  }

  private monitorTransaction(
    id: number,
    triggers: Trigger[],
    affected: number,
    changed: number,
    trace: Trace | undefined,
  ): void {
    const full = () => trace ?? this.lastTrace!;
    this.monitor!.onTransaction(id, triggers, affected, changed, full);
  }

  private differs(old: unknown, value: unknown): boolean {
    if (isObject(value)) return !this.opt.deepEqual || !deepEqual(old, value);
    return old !== value;
  }

  /**
   * Depth-first over dependents; collects computeds holding a value, in first-visit order. That
   * order is already topological unless some node is reached twice (two affected paths lead to it,
   * or a cycle): each other node reads only one affected node, the one it was reached from, which
   * was collected before it. Only then is `linked` set and the order sorted.
   */
  private invalidate(node: StateNode, id: number, affected: StateNode[]): void {
    // A chain (one dependent each) is walked in a loop: the recursion would be its last step.
    while (node.dependents.length === 1) {
      const d = node.dependents[0];
      if (d === null || d.fn === undefined || !d.has) return;
      if (d.affectedIn === id) return void (this.linked = true);
      d.affectedIn = id;
      affected[this.affectedCount++] = d;
      node = d;
    }
    const list = node.dependents;
    const n = list.length;
    for (let k = 0, i = node.head; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const d = list[i];
      if (d === null || d.fn === undefined || !d.has) continue;
      if (d.affectedIn === id) {
        this.linked = true; // reached twice: the visit order may not be topological
        continue;
      }
      d.affectedIn = id;
      affected[this.affectedCount++] = d;
      if (d.dependents.length > 0) this.invalidate(d, id, affected);
    }
  }

  /** Topological order of `affected`: each node after the affected nodes it reads. */
  private sort(affected: StateNode[], count: number, id: number, sorted: StateNode[]): StateNode[] {
    for (let i = 0; i < count; i++) this.visit(affected[i], id, sorted);
    return sorted;
  }

  private visit(n: StateNode, id: number, sorted: StateNode[]): void {
    if (n.sortedIn === id) return; // done, or a back edge: ignored like the reference
    n.sortedIn = id;
    for (let i = 0; i < n.depCount; i++) {
      const d = n.depAt(i);
      if (d.affectedIn === id && d.sortedIn !== id) this.visit(d, id, sorted);
    }
    sorted.push(n);
  }

  private notifySubscribers(node: StateNode): void {
    const subs = node.subs!;
    for (const tag in subs) subs[tag](node.value);
  }

  /** Promise resolution: propagates at once, bypassing batches (spec §11). */
  private resolved(node: StateNode, value: unknown): void {
    if (this.fatalSet) return;
    const old = node.value;
    if (!old && !value) return;
    if (!this.differs(old, value)) return;
    node.value = value;
    node.has = true;
    this.txn([{ name: node.name, value }]);
  }

  // ---- subscriptions (spec §10) ---------------------------------------------------------------

  subscribe(node: StateNode, cb: (value: unknown) => void): () => void {
    cb(node.has ? node.value : undefined);
    const subs = (this.subs[node.name] ??= {});
    node.subs = subs;
    this.subscribed = true;
    let i = 0;
    while (String(i).padStart(3, '0') in subs) i++;
    const tag = String(i).padStart(3, '0');
    const wrapper = (v: unknown) => cb(v);
    subs[tag] = wrapper;
    return () => void (subs[tag] === wrapper && delete subs[tag]);
  }

  // ---- fatal (spec §12) -----------------------------------------------------------------------

  fail(msg: unknown): undefined {
    if (!this.unobserved) this.fatalSignal(msg);
    else {
      try {
        this.failNow(msg);
      } catch (e) {
        this.privateRoute!(e, this.prefix + 'fatal', msg);
      }
    }
    return undefined;
  }

  private failNow(msg: unknown): void {
    this.fatalSet = true;
    this.fatal.msg = msg;
    this.fatal.stack = [...this.stack];
    const top = this.nodes.get(this.stack[this.stack.length - 1] ?? '');
    const vars = top ? this.depValues(top) : {};
    try {
      const handler = this.fnRecord ? this.fnRecord['#fatal'] : this.fatalHandler!;
      handler({ msg, res: this.root, stack: this.stack, vars, details: undefined });
    } catch (e) {
      this.logger.error('the #fatal handler threw', e);
    }
  }

  private depValues(node: StateNode): Record<string, unknown> {
    const vars: Record<string, unknown> = {};
    for (const d of node.depList())
      vars[d.name] = Array.isArray(d.value) ? `array, length ${d.value.length}` : d.value;
    return vars;
  }
}
