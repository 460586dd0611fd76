/**
 * Test helpers: real in-process exchanges wired into topologies, and bounded waits on
 * conditions (route convergence has no single event to wait on, so we poll with a deadline).
 */
import { afterEach } from 'vitest';
import { exchange, type Exchange, type ExchangeInit, type Peer } from '../../src/index.js';

const open: Exchange[] = [];

// Every exchange a test makes is closed after it, whatever the test's outcome.
afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
});

/** An exchange closed after the test. */
export function make(init: ExchangeInit): Exchange {
  const ex = exchange(init);
  open.push(ex);
  return ex;
}

/** `n` exchanges `${prefix}0` … `${prefix}${n - 1}`. */
export function many(n: number, prefix = 'x', init: Omit<ExchangeInit, 'id'> = {}): Exchange[] {
  return Array.from({ length: n }, (_, i) => make({ ...init, id: `${prefix}${i}` }));
}

/** Connect `a` to `b` over the local transport; resolves with `a`'s peer for `b`. */
export function link(a: Exchange, b: Exchange): Promise<Peer> {
  return a.connect({ transport: 'local', exchange: b });
}

/** Connect each pair. */
export async function wire(pairs: [Exchange, Exchange][]): Promise<void> {
  for (const [a, b] of pairs) await link(a, b);
}

export const line = (xs: Exchange[]): [Exchange, Exchange][] =>
  xs.slice(1).map((x, i) => [xs[i], x]);
export const ring = (xs: Exchange[]): [Exchange, Exchange][] => [
  ...line(xs),
  [xs[xs.length - 1], xs[0]],
];
export const star = (xs: Exchange[]): [Exchange, Exchange][] => xs.slice(1).map((x) => [xs[0], x]);
export const mesh = (xs: Exchange[]): [Exchange, Exchange][] =>
  xs.flatMap((a, i) => xs.slice(i + 1).map((b): [Exchange, Exchange] => [a, b]));

/** One macrotask turn: every queued microtask (local frames, adverts) has run. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Resolve once `condition()` holds, checking after each macrotask turn; reject after `timeout`
 * ms with `what` in the message.
 */
export async function until(condition: () => boolean, what: string, timeout = 2000) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await turn();
  }
}

/** The distance-vector route `ex` holds for (kind, pattern), if any. */
export function route(ex: Exchange, kind: 'handle' | 'observe' | 'exchange', pattern: string) {
  return ex.describe().routes.find((r) => r.kind === kind && r.pattern === pattern);
}

/** True once every exchange knows how to reach a handler of `pattern`. */
export const handlerKnown = (xs: Exchange[], pattern: string) => () =>
  xs.every((x) => route(x, 'handle', pattern) !== undefined);

/** True once every exchange knows a route to every observer of `pattern` (`count` of them). */
export const observersKnown = (xs: Exchange[], pattern: string) => () =>
  xs.every((x) => {
    const r = route(x, 'observe', pattern);
    return r !== undefined && (r.local || Object.keys(r.via).length > 0);
  });

/** True once route tables stop changing for a few turns (for flooding/observer tests). */
export async function quiet(xs: Exchange[], turns = 5, timeout = 2000): Promise<void> {
  const snapshot = () => JSON.stringify(xs.map((x) => x.describe().routes));
  let last = snapshot();
  let stable = 0;
  await until(
    () => {
      const now = snapshot();
      stable = now === last ? stable + 1 : 0;
      last = now;
      return stable >= turns;
    },
    'routes to settle',
    timeout,
  );
}

/** A promise resolved by hand, for handlers that reply when the test says so. */
export function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves with the first value `ex` observes on `pattern`; rejects after `timeout` ms. */
export function next(ex: Exchange, pattern: string, timeout = 2000) {
  return new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${pattern} within ${timeout} ms`));
    }, timeout);
    const off = ex.on(pattern, (msg) => {
      clearTimeout(timer);
      off();
      resolve(msg.value);
    });
  });
}
