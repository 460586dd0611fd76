// Timing, garbage collection and correctness checks shared by every scenario.
//
// A rate case is `{ label, prepare(options) }`: `prepare` builds a fresh instance and returns `run(n)`
// (or a promise of it), which performs n operations on it and throws a BenchError if any result is
// wrong. `run(n)` may return a promise, for work that completes asynchronously (messages delivered
// on a microtask): the harness then awaits it, once per batch, and counts the n operations when it
// settles. A synchronous `run` is never awaited, so its loop and figures are as before. `options`
// are the bench's (runs, budgetMs, warmupMs, distUrl: the built library's folder, for cases that
// load it themselves). The harness warms each case up, picks a batch size of about BATCH_MS, then
// times batches for a fixed budget, several times, and reports the median.
import { performance } from 'node:perf_hooks';

/** A wrong result: the whole bench stops, because a fast wrong answer is not a result. */
export class BenchError extends Error {
  name = 'BenchError';
}

/** Throw a BenchError unless `actual === expected`. Cheap enough to call inside a hot loop. */
export function expectEqual(actual, expected, what) {
  if (actual !== expected) throw new BenchError(`${what}: got ${actual}, expected ${expected}`);
}

/** A full, synchronous collection (twice, so objects freed by finalisation go too). */
export function collectGarbage() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('run with node --expose-gc (run.mjs starts its workers so)');
  }
  globalThis.gc();
  globalThis.gc();
}

/** Let pending timers and microtasks run, so one case's leftovers cannot land in the next. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

const isThenable = (v) => typeof v?.then === 'function';

/** Run `fn`, naming case `c` in any BenchError it throws (or its promise rejects with). */
export function blame(c, fn) {
  const name = (error) => {
    if (error instanceof BenchError && c.label) error.message = `${c.label}: ${error.message}`;
    throw error;
  };
  try {
    const result = fn();
    return isThenable(result) ? result.then(undefined, name) : result;
  } catch (error) {
    return name(error);
  }
}

const BATCH_MS = 5;

/** Run `run` with growing n until it is warm; return the batch size that takes about BATCH_MS. */
async function calibrate(run, warmupMs) {
  const end = performance.now() + warmupMs;
  let n = 1;
  let msPerOp = Infinity;
  for (;;) {
    const t0 = performance.now();
    const pending = run(n);
    if (pending !== undefined) await pending;
    const dt = performance.now() - t0;
    if (dt > 0) msPerOp = dt / n;
    if (dt < BATCH_MS) n *= 2;
    if (performance.now() >= end && dt >= BATCH_MS / 4) break;
  }
  return Math.max(1, Math.round(BATCH_MS / msPerOp));
}

/** Operations per second over one time budget. */
async function timeOnce(run, batch, budgetMs) {
  let ops = 0;
  const t0 = performance.now();
  let elapsed;
  do {
    const pending = run(batch);
    if (pending !== undefined) await pending;
    ops += batch;
    elapsed = performance.now() - t0;
  } while (elapsed < budgetMs);
  return ops / (elapsed / 1000);
}

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measure every case of one scenario: warm all of them up, then take `runs` samples of each,
 * round-robin (so drift on a noisy machine spreads over all systems), each on a fresh instance.
 * Returns one array of samples (ops/s) per case.
 */
export async function measureRates(cases, options) {
  const { runs, budgetMs, warmupMs } = options;
  const batches = [];
  for (const c of cases) {
    const run = await blame(c, () => c.prepare(options));
    batches.push(await blame(c, () => calibrate(run, warmupMs)));
    await settle();
  }
  const samples = cases.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < cases.length; i++) {
      const run = await blame(cases[i], () => cases[i].prepare(options));
      collectGarbage();
      samples[i].push(await blame(cases[i], () => timeOnce(run, batches[i], budgetMs)));
      await settle();
    }
  }
  return samples;
}

/**
 * A private copy of a scenario module for one row of the table. A distinct URL is a distinct
 * module to V8, with its own functions and inline caches, so a loop never sees a second library's
 * objects: as in an application that uses one library, each loop stays monomorphic. (A shared loop
 * that had seen five object shapes measured 6x slower on every one of them.)
 */
export function isolatedCopy(moduleUrl, key) {
  return import(`${moduleUrl}?copy=${encodeURIComponent(key)}`);
}
