import { kernel as createKernel } from '../kernel/index.js';
import { CallRateMonitor } from './call-rate.js';
import { Counters } from './counters.js';
import { AutoEngine } from './engine.js';
import { AutoLogger } from './logger.js';
import type { ComputedFn, StateNode } from './node.js';
import { resolveOptions } from './options.js';
import type { Auto, AutoOptions, Handle } from './types.js';

/** The auto.js version whose behaviour this implements (`$.v`). */
export const AUTO_VERSION = '1.54.1';

/**
 * The boot keys' accessors are shared by every instance: the i-th key's getter reads the i-th boot
 * node of the engine found on `this`. A closure per key per instance cost more than the rest of a
 * boot together (its allocations made the garbage collector's work grow with the object's size).
 * The pool holds one getter and one setter per index up to the largest object booted so far.
 */
const ENGINE = Symbol('auto.engine');
interface WithEngine {
  [ENGINE]: AutoEngine;
}
const getters: (() => unknown)[] = [];
const setters: ((value: unknown) => void)[] = [];
const getterAt = (i: number) =>
  (getters[i] ??= function (this: WithEngine) {
    const engine = this[ENGINE];
    return engine.get(engine.bootNodes[i]);
  });
const setterAt = (i: number) =>
  (setters[i] ??= function (this: WithEngine, value: unknown) {
    const engine = this[ENGINE];
    engine.set(engine.bootNodes[i], value);
  });

/** The engine behind an `auto` object (for the typed helpers and later layers). */
export function engineOf(state: object): AutoEngine {
  const engine = Object.hasOwn(state, ENGINE) ? (state as WithEngine)[ENGINE] : undefined;
  if (!engine) throw new TypeError('not an auto() state object');
  return engine;
}

type Category =
  | 'static_external'
  | 'static_internal'
  | 'static_mixed'
  | 'dynamic_external'
  | 'dynamic_internal'
  | 'dynamic_mixed';

/**
 * Reactive state: statics plus computed functions of them, kept up to date in transactions.
 * Behaves exactly like auto.js 1.54 (see docs/auto.md); every state operation is a kernel signal.
 *
 * @param obj keys with plain values are statics; function keys `(_, set) => value` are computeds,
 *   which read other keys through `_` and may never write them. `'#fatal'` is the fatal handler.
 * @param opt options (all optional): batching, tracing, change detection, call-rate checks, …
 * @returns `$`, with an accessor per key plus `_`, `#`, `v`, `batch`, `flush` and `add_*`.
 * @example
 * const $ = auto({ count: 1, doubled: ($: { count: number }) => $.count * 2 });
 * $.count = 5;
 * $.doubled; // 10 (reading flushes the pending auto-batch)
 */
export function auto<T extends object>(obj: T, opt?: AutoOptions): Auto<T> {
  const options = resolveOptions(opt);
  const logger = new AutoLogger(options.tag);
  // A kernel made here is reachable only through this engine: while no hook is on it, no one can
  // observe its signals, and the engine may call its handlers directly (see AutoEngine).
  const onError = (e: unknown, name: string) => logger.error(`error in ${name}`, e);
  const engine = opt?.kernel
    ? new AutoEngine(opt.kernel, options, logger)
    : new AutoEngine(createKernel({ onError }), options, logger, onError);
  // Which add_* variant registered each name (kept like the reference's lists; made on first use).
  let categories: Partial<Record<Category, string[]>> | undefined;
  const categorise = (name: string, category: Category): void =>
    void ((categories ??= {})[category] ??= []).push(name);
  const counters = options.count ? new Counters(options.count, logger) : undefined;

  // `$['#'][name]` handles are made on first use: most keys never need one. Until an add_* call,
  // the handle names are exactly the boot keys, which are the nodes' names in the same order.
  let handleSet: Set<string> | undefined;
  const handleNames = (): Set<string> | Map<string, unknown> => handleSet ?? engine.nodes;
  const handleFor = (name: string): void =>
    void (handleSet ??= new Set(engine.nodes.keys())).add(name);
  const makeHandle = (name: string): Handle<unknown> => ({
    get: () => {
      const n = engine.nodes.get(name);
      return n ? engine.get(n) : undefined;
    },
    set: (v) => {
      const n = engine.nodes.get(name);
      if (n) engine.set(n, v);
      else engine.fail(`outside code trying to set unknown variable ${name}`);
    },
    subscribe: (fn) => {
      const n = engine.nodes.get(name);
      return n ? engine.subscribe(n, fn) : () => {};
    },
  });
  const made: Record<string, Handle<unknown>> = {};
  const handles = new Proxy(made, {
    get: (made, name) =>
      typeof name === 'string' && handleNames().has(name)
        ? (made[name] ??= makeHandle(name))
        : undefined,
    has: (_made, name) => typeof name === 'string' && handleNames().has(name),
    ownKeys: () => [...handleNames().keys()],
    getOwnPropertyDescriptor: (made, name) =>
      typeof name === 'string' && handleNames().has(name)
        ? {
            value: (made[name] ??= makeHandle(name)),
            writable: false,
            enumerable: true,
            configurable: true,
          }
        : undefined,
  });

  const defineStatic = (name: string, value: unknown): void => {
    const node = engine.addStatic(name, value);
    Object.defineProperty($, name, {
      get: () => engine.get(node),
      set: (v) => engine.set(node, v),
    });
  };
  const defineComputed = (name: string, fn: ComputedFn | undefined): StateNode => {
    const node = engine.addComputed(name, fn);
    Object.defineProperty($, name, { get: () => engine.get(node) });
    counters?.track(name);
    return node;
  };
  const addStatic = (o: Record<string, unknown>, category?: Category): void => {
    for (const [name, value] of Object.entries(o)) {
      handleFor(name);
      if (typeof value === 'function') {
        logger.error(`add_static: ${name} is a function; use add_dynamic`);
        continue;
      }
      defineStatic(name, value);
      if (category) categorise(name, category);
      if (category === 'static_external') engine.nodes.get(name)!.externalOnly = true;
    }
  };
  const addDynamic = (o: Record<string, ComputedFn>, category?: Category): void => {
    const added = Object.entries(o).map(([name, fn]) => {
      handleFor(name);
      return defineComputed(name, fn);
    });
    for (const node of added) engine.run(node);
    // Marked only after evaluation, as in the reference (spec §13, test 040).
    for (const node of added) {
      if (category) categorise(node.name, category);
      if (category === 'dynamic_internal') node.internalOnly = true;
    }
  };

  const $ = {
    _: engine.internals,
    '#': handles,
    v: AUTO_VERSION,
    add_static: (o: Record<string, unknown>) => addStatic(o),
    add_dynamic: (o: Record<string, ComputedFn>) => addDynamic(o),
    add_static_external: (o: Record<string, unknown>) => addStatic(o, 'static_external'),
    add_static_internal: (o: Record<string, unknown>) => addStatic(o, 'static_internal'),
    add_static_mixed: (o: Record<string, unknown>) => addStatic(o, 'static_mixed'),
    add_dynamic_external: (o: Record<string, ComputedFn>) => addDynamic(o, 'dynamic_external'),
    add_dynamic_internal: (o: Record<string, ComputedFn>) => addDynamic(o, 'dynamic_internal'),
    add_dynamic_mixed: (o: Record<string, ComputedFn>) => addDynamic(o, 'dynamic_mixed'),
    flush: (): void => engine.flushIfArmed(),
    batch: (fn: () => void) => engine.batch(fn),
  };
  engine.root = $;
  Object.defineProperty($, ENGINE, { value: engine });

  selfTest(obj as Record<string, unknown>, options.tests, logger);
  const computeds: StateNode[] = [];
  const boot = engine.bootNodes;
  for (const name of Object.keys(obj)) {
    const value = (obj as Record<string, unknown>)[name];
    const i = boot.length;
    if (typeof value !== 'function') {
      boot.push(engine.addStatic(name, value));
      Object.defineProperty($, name, { get: getterAt(i), set: setterAt(i) });
      continue;
    }
    // '#fatal' gets an accessor and a handle like any function key, but is never evaluated.
    const node = engine.addComputed(name, name === '#fatal' ? undefined : (value as ComputedFn));
    boot.push(node);
    Object.defineProperty($, name, { get: getterAt(i) });
    counters?.track(name);
    if (node.fn) computeds.push(node);
  }
  const userFatal = (obj as Record<string, unknown>)['#fatal'];
  engine.setFatalHandler(
    typeof userFatal === 'function'
      ? (userFatal as (e: unknown) => void)
      : (e: unknown) =>
          logger.error(`FATAL ${String((e as { msg: unknown }).msg)}`, engine.fatal, $),
  );
  if (
    options.maxCallsPerSecond ||
    counters ||
    options.deepLog ||
    Object.keys(options.watch).length > 0
  ) {
    engine.monitor = new CallRateMonitor(options, logger, counters);
  }
  for (const node of computeds) if (!node.name.startsWith('#')) engine.run(node);
  return $ as unknown as Auto<T>;
}

/** `opt.tests`: call each named function with a fake `_` and compare its output (spec §4.2). */
function selfTest(
  obj: Record<string, unknown>,
  tests: NonNullable<AutoOptions['tests']>,
  logger: AutoLogger,
): void {
  if (Object.keys(tests).length === 0) return;
  for (const [name, fn] of Object.entries(obj)) {
    const test = tests[name];
    if (typeof fn !== 'function' || !test) continue;
    try {
      const output = (fn as (_: unknown) => unknown)(test._);
      if (JSON.stringify(output) !== JSON.stringify(test.output))
        logger.warn(`WARNING test failed for ${name}`);
    } catch (e) {
      logger.warn(`WARNING test for ${name} threw`, e);
    }
  }
}
