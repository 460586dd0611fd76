import { engineOf } from './auto.js';
import type { Auto, ComputedValue, Trace } from './types.js';

type AnyFn = (...args: any[]) => any;
type ValueOf<T, K extends keyof T> = T[K] extends AnyFn ? ComputedValue<T[K]> : T[K];

/**
 * Subscribe to one key; `fn` runs now with the current value, then after each transaction that
 * changes it. Returns the unsubscribe function.
 * @example const stop = subscribe($, 'doubled', (v) => console.log(v));
 */
export function subscribe<T extends object, K extends keyof T & string>(
  state: Auto<T>,
  name: K,
  fn: (value: ValueOf<T, K>) => void,
): () => void {
  const engine = engineOf(state);
  const node = engine.nodes.get(name);
  if (!node) throw new TypeError(`subscribe: unknown state key '${name}'`);
  return engine.subscribe(node, fn as (value: unknown) => void);
}

/** Run `fn` as one transaction (writes inside it propagate once, at the end). */
export function batch<T extends object>(state: Auto<T>, fn: () => void): Trace | undefined {
  return state.batch(fn);
}

/** Propagate pending auto-batched writes now. */
export function flush<T extends object>(state: Auto<T>): void {
  state.flush();
}

/** A plain copy of every current value (statics and computeds), for logs, tests and recordings. */
export function snapshot<T extends object>(state: Auto<T>): Record<string, unknown> {
  return { ...state._.value };
}

/**
 * Call `fn` with the trace of every transaction (also those from async results and batches),
 * without the `trace` option. Runs on the kernel's hooks, so several listeners can coexist.
 */
export function onTransaction<T extends object>(
  state: Auto<T>,
  fn: (trace: Trace) => void,
): () => void {
  const engine = engineOf(state);
  const txn = engine.signalName('txn');
  return engine.hook({
    afterSignal(name, _value, _detail, result) {
      if (name === txn && result) fn(result as Trace);
    },
  });
}

/** The state object's last transaction trace, if any ran. */
export function lastTrace<T extends object>(state: Auto<T>): Trace | undefined {
  return engineOf(state).lastTrace;
}
