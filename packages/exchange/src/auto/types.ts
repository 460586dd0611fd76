import type { Kernel } from '../kernel/index.js';

/** One write that changed something: the name written and the value it got. */
export interface Trigger {
  name: string;
  value: unknown;
}

/** What one transaction did: passed to `opt.trace` and returned by `batch`. */
export interface Trace {
  /** Transaction number, from 1, per instance. */
  id: number;
  /** Milliseconds since the epoch when the transaction finished recomputing. */
  timestamp: number;
  /** The writes that started it, in order, duplicates kept. */
  triggers: Trigger[];
  /** New values of the computeds that changed (by `!==`, or deep equality for objects). */
  updates: Record<string, unknown>;
}

/** The argument passed to the `#fatal` handler. */
export interface FatalEvent {
  msg: unknown;
  res: unknown;
  stack: string[];
  vars: Record<string, unknown>;
  details: unknown;
}

/** `$._.fatal`: `{}` until something fails, then `{ msg, stack }`. */
export interface FatalState {
  msg?: unknown;
  stack?: string[];
  details?: unknown;
}

/** `$._`: live views of the internals, in the reference's exact shape. */
export interface Internals {
  subs: Record<string, Record<string, (value: unknown) => void>>;
  fn: Record<string, (...args: any[]) => unknown>;
  deps: Record<string, Record<string, true>>;
  value: Record<string, unknown>;
  fatal: FatalState;
}

/** Counter printing for `opt.count`. */
export interface CountOptions {
  interval?: number;
  repeat?: number;
  top?: number;
  max?: number;
}

/** Options of `auto(obj, opt)`; every one is optional. Section 17 of the spec lists them. */
export interface AutoOptions {
  /** Debounce external writes into one transaction. @default true */
  auto_batch?: boolean;
  /** Debounce delay in ms. @default 0 */
  auto_batch_delay?: number;
  /** Called with every transaction's trace. */
  trace?: (trace: Trace) => void;
  /** Compare object values structurally when deciding what changed. @default true */
  deep_equal?: boolean;
  /** Per-computed counters printed as `[access counts]`. */
  count?: boolean | CountOptions;
  /** Evaluations per window before a computed is backed off; 0 disables. @default 10 */
  max_calls_per_second?: number;
  /** @default 1000 */
  call_rate_window?: number;
  /** @default 5000 */
  call_rate_backoff?: number;
  /** @default 2000 */
  excessive_calls_collection_period?: number;
  /** No call-rate checks this long after boot. Ours is 0; the reference's is 3000 (see docs). @default 0 */
  call_rate_grace_period?: number;
  /** @default 10 */
  call_rate_debug_count?: number;
  /** Names exempt from the call-rate check. @default {} */
  excessive_calls_exclude?: Record<string, unknown>;
  /** @default 30 */
  static_value_history_size?: number;
  /** Prefix `[tag] ` on every log line. */
  tag?: string;
  /** Log every step. @default false */
  deep_log?: boolean;
  /** Extra logs for the named keys. @default {} */
  watch?: Record<string, unknown>;
  /** Log a computed slower than this many ms; -1 logs all; 0 disables. @default 100 */
  report_lag?: number;
  /** Boot-time self-test of functions. @default {} */
  tests?: Record<string, { _: unknown; output: unknown }>;
  /** Run on this kernel instead of a private one (so its hooks see the state's activity). */
  kernel?: Kernel;
  /** Prefix of this instance's kernel signal names. @default 'auto.' */
  signal_prefix?: string;
}

type AnyFn = (...args: any[]) => any;
/** The value type a computed produces: its return value, a promise's result, or what its `set` gets. */
export type ComputedValue<F> = F extends (_: any, set: (value: infer S) => any) => infer R
  ? unknown extends S
    ? R extends PromiseLike<infer P>
      ? P | R
      : R
    : S | R
  : never;

type StaticKeys<T> = { [K in keyof T]: T[K] extends AnyFn ? never : K }[keyof T];
type ComputedKeys<T> = { [K in keyof T]: T[K] extends AnyFn ? K : never }[keyof T];

/** The handle `$['#'][name]`. */
export interface Handle<V> {
  get(): V;
  set(value: V): void;
  /** Calls `fn` now with the current value, then after every transaction that changes it. */
  subscribe(fn: (value: V) => void): () => void;
}

/** What `auto(obj)` returns: accessors for every key of `obj` plus the reference's members. */
export type Auto<T extends object> = { -readonly [K in StaticKeys<T>]: T[K] } & {
  readonly [K in ComputedKeys<T>]: ComputedValue<T[K]>;
} & AutoMembers<T>;

export interface AutoMembers<T extends object> {
  readonly _: Internals;
  readonly '#': {
    readonly [K in keyof T]: Handle<T[K] extends AnyFn ? ComputedValue<T[K]> : T[K]>;
  } & Record<string, Handle<unknown>>;
  readonly v: string;
  add_static(obj: Record<string, unknown>): void;
  add_dynamic(obj: Record<string, AnyFn>): void;
  add_static_external(obj: Record<string, unknown>): void;
  add_static_internal(obj: Record<string, unknown>): void;
  add_static_mixed(obj: Record<string, unknown>): void;
  add_dynamic_external(obj: Record<string, AnyFn>): void;
  add_dynamic_internal(obj: Record<string, AnyFn>): void;
  add_dynamic_mixed(obj: Record<string, AnyFn>): void;
  flush(): void;
  batch(fn: () => void): Trace | undefined;
}
