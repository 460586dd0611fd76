import type { Channel, Kernel } from '../kernel/index.js';
import { deepEqual } from './deep-equal.js';
import type { AutoLogger } from './logger.js';
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

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (isObject(v) || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** What a transaction changed, kept cheaply so its trace can be built only when someone looks. */
interface TxnRecord {
  id: number;
  timestamp: number;
  triggers: Trigger[];
  changed: StateNode[];
  /** The changed computeds' values at the end of the transaction, aligned with `changed`. */
  values: unknown[];
}

/** A transaction's trace: `updates` holds the new values of the computeds that changed. */
function traceOf(txn: TxnRecord): Trace {
  const updates: Record<string, unknown> = {};
  txn.changed.forEach((n, i) => {
    if (n.fn !== undefined) updates[n.name] = txn.values[i]; // static triggers are not updates
  });
  return { id: txn.id, timestamp: txn.timestamp, triggers: txn.triggers, updates };
}

/**
 * The reactive engine of one `auto` instance. Every state operation is a kernel signal
 * (`<prefix>run`, `read`, `get`, `set`, `circle`, `txn`, `resolve`, `notify`, `fatal`, `flush`),
 * so kernel hooks observe all of it; the handlers below are those signals' implementations.
 */
export class AutoEngine {
  readonly nodes = new Map<string, StateNode>();
  readonly fn: Internals['fn'] = {};
  readonly subs: Internals['subs'] = {};
  readonly fatal: FatalState = {};
  readonly internals: Internals;
  /** The evaluation stack (names); not exposed as `$._.stack`. */
  readonly stack: string[] = [];
  fatalSet = false;
  root: unknown = undefined;
  private lastTxn: TxnRecord | undefined = undefined;
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
  private readonly timed: boolean;

  readonly run: Channel;
  readonly read: Channel;
  readonly get: Channel;
  readonly set: Channel;
  private readonly circle: Channel;
  private readonly txn: Channel;
  private readonly resolve: Channel;
  private readonly notify: Channel;
  private readonly fatalSignal: Channel;
  readonly flush: Channel;

  constructor(
    readonly kernel: Kernel,
    readonly opt: ResolvedOptions,
    readonly logger: AutoLogger,
  ) {
    this.internals = {
      subs: this.subs,
      fn: this.fn,
      deps: depsView(this.nodes),
      value: valueView(this.nodes),
      fatal: this.fatal,
    };
    this.timed = opt.reportLag !== 0;
    const p = opt.signalPrefix;
    const bind = (name: string, handler: (value: any, detail: any) => unknown): Channel => {
      kernel.handle(p + name, handler, { immediate: true });
      return kernel.channel(p + name);
    };
    this.run = bind('run', (node: StateNode) => this.update(node));
    this.read = bind('read', (dep: StateNode, reader: StateNode) => this.readInside(dep, reader));
    this.get = bind('get', (node: StateNode) => this.readOutside(node));
    this.set = bind('set', (node: StateNode, value: unknown) => this.write(node, value));
    this.circle = bind('circle', (node: StateNode) => node.onStack > 1);
    this.txn = bind('txn', (triggers: Trigger[]) => this.propagate(triggers));
    this.resolve = bind('resolve', (node: StateNode, value: unknown) => this.resolved(node, value));
    this.notify = bind('notify', (node: StateNode) => this.notifySubscribers(node));
    this.fatalSignal = bind('fatal', (msg: unknown) => this.failNow(msg));
    this.flush = bind('flush', () => this.flushPending());
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
    // The node itself is the proxy's target; the traps hide its fields, like an empty object.
    node.proxy = new Proxy(node, this.proxyTraps);
    if (fn) this.fn[name] = fn;
    return node;
  }

  /** The `_` handed to every computed of this instance: reads record deps, writes are fatal. */
  private readonly proxyTraps: ProxyHandler<StateNode> = {
    get: (node, prop) => this.readThrough(node, prop),
    set: (node, prop) => {
      this.fail(`function ${node.name} is trying to change value ${String(prop)}`);
      return true;
    },
    has: () => false,
    ownKeys: () => [],
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
    if (this.circle(node)) return this.fail('circular dependency');
    node.beginDeps();
    const started = this.timed ? performance.now() : 0;
    const result = this.call(node);
    node.endDeps();
    if (isThenable(result)) {
      node.value = result;
      result.then((v) => this.resolve(node, v));
    } else node.value = result;
    node.has = true; // stored even when fatal became set during the call (spec §5.9)
    if (this.timed) this.reportLag(node, performance.now() - started);
    this.stack.pop();
    node.onStack--;
  }

  private call(node: StateNode): unknown {
    if (this.fatalSet) return undefined;
    try {
      node.setSelf ??= (value) => this.set(node, value);
      return node.fn!(node.proxy, node.setSelf);
    } catch (e) {
      this.logger.error(`EXCEPTION in ${node.name}`, this.depValues(node));
      if (!this.fatalSet) this.fail({ msg: `exception in ${node.name}`, e });
      this.logger.error(e);
      return undefined;
    }
  }

  private reportLag(node: StateNode, ms: number): void {
    const lag = this.opt.reportLag;
    if (lag === -1 || ms > lag) this.logger.log(`${node.name} took ${Math.round(ms)} ms`);
    if (node.name in this.opt.watch) this.logger.log('[update]', node.name, node.value);
  }

  /** A read through a computed's `_`: lazily evaluates, then records the dependency. */
  private readThrough(reader: StateNode, prop: string | symbol): unknown {
    // Usually the i-th read is the i-th read of the last run: skip the name lookup then.
    const i = reader.depCount;
    let dep = i < reader.prevCount ? (reader.prevDeps[i] ?? undefined) : undefined;
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
    const trigger: Trigger = { name: node.name, value };
    if (this.inBatch) this.batchTriggers.push(trigger);
    else if (this.opt.autoBatch) this.queue(trigger);
    else this.txn([trigger]);
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
    if (this.lastTxn && this.lastTraceBuilt?.id !== this.lastTxn.id) {
      this.lastTraceBuilt = traceOf(this.lastTxn);
    }
    return this.lastTraceBuilt;
  }

  private txnWithTrace(triggers: Trigger[]): Trace | undefined {
    this.traceWanted++;
    try {
      return this.txn(triggers) as Trace | undefined;
    } finally {
      this.traceWanted--;
    }
  }

  // ---- one transaction (spec §8) --------------------------------------------------------------

  private propagate(triggers: Trigger[]): Trace | undefined {
    const id = ++this.txnCounter;
    const affected: StateNode[] = [];
    for (const t of triggers) {
      const node = this.nodes.get(t.name);
      if (node) this.invalidate(node, id, affected);
    }
    const sorted = affected.length < 2 ? affected : this.sort(affected, id);
    for (const n of sorted) {
      n.old = n.value;
      if (n.backedOff) continue;
      ((n.has = false), (n.value = undefined));
      this.monitor?.onClear(n);
    }
    for (const n of sorted) if (n.fn !== undefined && !n.has) this.run(n);

    const changed: StateNode[] = [];
    for (const t of triggers) {
      const node = this.nodes.get(t.name);
      if (node && node.changedIn !== id) ((node.changedIn = id), changed.push(node));
    }
    for (const n of sorted) {
      if (n.changedIn === id || !this.differs(n.old, n.value)) continue;
      n.changedIn = id;
      changed.push(n);
    }
    const values: unknown[] = [];
    for (const n of changed) values.push(n.value);
    const txn: TxnRecord = { id, timestamp: Date.now(), triggers, changed, values };
    this.lastTxn = txn;
    // Building `updates` (a map of every changed name) is the costliest part of a small
    // transaction: do it only when a trace callback, a kernel hook or the caller will see it.
    const wanted = this.opt.trace !== undefined || this.traceWanted > 0 || this.kernel.hooked;
    const trace = wanted ? traceOf(txn) : undefined;
    this.lastTraceBuilt = trace;
    for (const n of changed) if (n.subs !== undefined) this.notify(n);
    if (this.monitor) {
      const full = () => trace ?? this.lastTrace!;
      this.monitor.onTransaction(id, triggers, sorted.length, changed.length, full);
    }
    if (trace) this.opt.trace?.(trace);
    return trace;
  }

  private differs(old: unknown, value: unknown): boolean {
    if (isObject(value)) return !this.opt.deepEqual || !deepEqual(old, value);
    return old !== value;
  }

  /** Depth-first over dependents; collects computeds holding a value, in first-visit order. */
  private invalidate(node: StateNode, id: number, affected: StateNode[]): void {
    for (const d of node.dependents) {
      if (d === null || d.fn === undefined || !d.has || d.affectedIn === id) continue;
      d.affectedIn = id;
      affected.push(d);
      this.invalidate(d, id, affected);
    }
  }

  /** Topological order of `affected`: each node after the affected nodes it reads. */
  private sort(affected: StateNode[], id: number): StateNode[] {
    const sorted: StateNode[] = [];
    const visit = (n: StateNode): void => {
      if (n.sortedIn === id) return; // done, or a back edge: ignored like the reference
      n.sortedIn = id;
      for (let i = 0; i < n.depCount; i++) if (n.deps[i].affectedIn === id) visit(n.deps[i]);
      sorted.push(n);
    };
    for (const n of affected) visit(n);
    return sorted;
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
    let i = 0;
    while (String(i).padStart(3, '0') in subs) i++;
    const tag = String(i).padStart(3, '0');
    const wrapper = (v: unknown) => cb(v);
    subs[tag] = wrapper;
    return () => void (subs[tag] === wrapper && delete subs[tag]);
  }

  // ---- fatal (spec §12) -----------------------------------------------------------------------

  fail(msg: unknown): undefined {
    this.fatalSignal(msg);
    return undefined;
  }

  private failNow(msg: unknown): void {
    this.fatalSet = true;
    this.fatal.msg = msg;
    this.fatal.stack = [...this.stack];
    const top = this.nodes.get(this.stack[this.stack.length - 1] ?? '');
    const vars = top ? this.depValues(top) : {};
    try {
      this.fn['#fatal']({ msg, res: this.root, stack: this.stack, vars, details: undefined });
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
