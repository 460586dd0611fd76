import type { Counters } from './counters.js';
import { unref } from './counters.js';
import type { EngineMonitor } from './engine.js';
import type { AutoLogger } from './logger.js';
import type { StateNode } from './node.js';
import type { ResolvedOptions } from './options.js';
import type { Trace, Trigger } from './types.js';

interface Change {
  old: unknown;
  new: unknown;
  timestamp: number;
}
interface TxnSummary {
  id: number;
  timestamp: number;
  triggers: Trigger[];
  affected: number;
  changed: number;
}

const TXN_LOG_SIZE = 50;

/**
 * Excessive-call detection (spec §15): a computed evaluated more than `max_calls_per_second`
 * times within `call_rate_window` is backed off (keeps its stale value) for a while, and after a
 * collection period a root-cause report names the statics whose changes drove it. Also feeds the
 * `count` counters and the `watch`/debug logs, which hook the same points.
 */
export class CallRateMonitor implements EngineMonitor {
  private readonly bootTime = performance.now();
  private readonly times = new Map<StateNode, number[]>();
  private readonly history = new Map<StateNode, Change[]>();
  private readonly debugLeft = new Map<StateNode, number>();
  private collecting = false;
  private readonly collected = new Set<StateNode>();
  private callCounts = new Map<string, number>();
  private txnLog: TxnSummary[] = [];
  private txnCount = 0;

  constructor(
    private readonly opt: ResolvedOptions,
    private readonly logger: AutoLogger,
    private readonly counters: Counters | undefined,
  ) {}

  beforeRun(node: StateNode): boolean {
    if (this.collecting) this.callCounts.set(node.name, (this.callCounts.get(node.name) ?? 0) + 1);
    if (node.backedOff) return false;
    const left = this.debugLeft.get(node);
    if (left !== undefined) {
      this.logger.log(`[debug] ${node.name} evaluating after backoff (${left - 1} more logged)`);
      if (left <= 1) this.debugLeft.delete(node);
      else this.debugLeft.set(node, left - 1);
    }
    if (this.opt.deepLog) this.logger.log('[update]', node.name);
    this.counters?.update(node.name);
    return true;
  }

  afterPush(node: StateNode): void {
    const max = this.opt.maxCallsPerSecond;
    if (!max || node.name in this.opt.exclude) return;
    const now = performance.now();
    if (now - this.bootTime < this.opt.gracePeriod) return;
    let list = this.times.get(node);
    if (!list) this.times.set(node, (list = []));
    list.push(now);
    while (list[0] < now - this.opt.callRateWindow) list.shift();
    if (list.length <= max || node.backedOff) return;
    node.backedOff = true;
    this.collected.add(node);
    if (!this.collecting) this.startCollection();
  }

  onSet(node: StateNode, old: unknown): void {
    if (node.name in this.opt.watch) this.logger.log('[setter]', node.name, old, '->', node.value);
    if (node.fn !== undefined) return this.counters?.setter(node.name);
    if (!this.opt.maxCallsPerSecond) return;
    let list = this.history.get(node);
    if (!list) this.history.set(node, (list = []));
    list.push({ old, new: node.value, timestamp: Date.now() });
    if (list.length > this.opt.historySize) list.shift();
  }

  onClear(node: StateNode): void {
    if (node.name in this.opt.watch) this.logger.log('[invalidate]', node.name);
    this.counters?.clear(node.name);
  }

  onTransaction(
    id: number,
    triggers: Trigger[],
    affected: number,
    changed: number,
    trace: () => Trace,
  ): void {
    if (this.opt.deepLog) this.logger.log('[transaction]', id, triggers, trace().updates);
    if (!this.collecting) return;
    this.txnCount++;
    this.txnLog.push({ id, timestamp: Date.now(), triggers, affected, changed });
    if (this.txnLog.length > TXN_LOG_SIZE) this.txnLog.shift();
  }

  private startCollection(): void {
    this.collecting = true;
    unref(
      setTimeout(() => {
        this.report();
        const backedOff = [...this.collected];
        this.collecting = false;
        this.collected.clear();
        this.callCounts = new Map();
        this.txnLog = [];
        this.txnCount = 0;
        unref(setTimeout(() => this.endBackoff(backedOff), this.opt.callRateBackoff));
      }, this.opt.collectionPeriod),
    );
  }

  private endBackoff(nodes: StateNode[]): void {
    for (const node of nodes) {
      node.backedOff = false;
      this.times.delete(node);
      if (this.opt.debugCount > 0) this.debugLeft.set(node, this.opt.debugCount);
    }
  }

  /** The console report: which statics changed, the chain to each backed-off function, rates. */
  private report(): void {
    const log = (...args: unknown[]) => this.logger.log(...args);
    const byRoot = new Map<StateNode, StateNode[]>();
    for (const fn of this.collected) {
      for (const root of this.rootsOf(fn)) byRoot.set(root, [...(byRoot.get(root) ?? []), fn]);
    }
    log(
      `[excessive calls] ${this.collected.size} function(s) exceeded ${this.opt.maxCallsPerSecond} calls per ${this.opt.callRateWindow} ms`,
    );
    if (byRoot.size === 0) {
      log(
        '  no root static with a change history; affected:',
        [...this.collected].map((n) => n.name).join(', '),
      );
    }
    const now = Date.now();
    for (const [root, fns] of [...byRoot].sort((a, b) => b[1].length - a[1].length)) {
      log(`  root ${root.name} drives ${fns.map((f) => f.name).join(', ')}`);
      for (const c of (this.history.get(root) ?? []).slice(-10)) {
        log(`    [${now - c.timestamp}ms ago] ${compact(c.old)} → ${compact(c.new)}`);
      }
      for (const fn of fns) log(`    chain: ${this.chain(root, fn).join(' → ')}`);
    }
    const seconds = this.opt.collectionPeriod / 1000;
    log(`  transactions during collection: ${this.txnCount}`);
    for (const fn of this.collected)
      log(`  exceeded: ${fn.name} (${this.callCounts.get(fn.name) ?? 0} calls)`);
    for (const [name, calls] of this.callCounts)
      log(`  rate: ${name} ${(calls / seconds).toFixed(1)}/s`);
    const triggerCounts = new Map<string, number>();
    for (const t of this.txnLog)
      for (const tr of t.triggers)
        triggerCounts.set(tr.name, (triggerCounts.get(tr.name) ?? 0) + 1);
    const top = [...triggerCounts].sort((a, b) => b[1] - a[1]).slice(0, 5);
    log(`  most frequent triggers: ${top.map(([n, c]) => `${n} (${c})`).join(', ')}`);
    for (const t of this.txnLog.slice(-10)) {
      log(`  txn ${t.id}: ${t.triggers.map((tr) => `${tr.name}=${compact(tr.value)}`).join(', ')}`);
    }
  }

  /** Statics (with a history) that `fn` depends on, through `deps`. */
  private rootsOf(fn: StateNode): StateNode[] {
    const roots = new Set<StateNode>();
    const seen = new Set<StateNode>();
    const walk = (n: StateNode): void => {
      if (seen.has(n)) return;
      seen.add(n);
      if (n.fn === undefined) {
        if (this.history.has(n)) roots.add(n);
        return;
      }
      for (const d of n.depList()) walk(d);
    };
    walk(fn);
    return [...roots];
  }

  /** Shortest path root → … → fn through dependents (breadth-first). */
  private chain(root: StateNode, fn: StateNode): string[] {
    const previous = new Map<StateNode, StateNode | null>([[root, null]]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i];
      if (n === fn) break;
      for (const d of n.dependentList()) if (!previous.has(d)) (previous.set(d, n), queue.push(d));
    }
    const path: string[] = [];
    for (let n: StateNode | null | undefined = fn; n; n = previous.get(n)) path.unshift(n.name);
    return previous.has(fn) ? path : [root.name, '…', fn.name];
  }
}

function compact(value: unknown): string {
  if (Array.isArray(value)) return `[array ${value.length}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value).slice(0, 3).join(',')}}`;
  const text = String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
