/**
 * The load loops of `exchange bench`: publish/subscribe and request/reply between two exchanges
 * of this process, both connected to a hub, so every message crosses the hub (two network hops).
 * Latency is measured on one clock (`performance.now()` carried in the message).
 */
import { performance } from 'node:perf_hooks';
import type { Exchange } from '../index.js';

/** How much load to put on. */
export interface BenchLoad {
  /** Messages (or requests) per scenario; ignored with `durationMs`. */
  messages: number;
  /** Payload bytes per message. */
  size: number;
  /** Messages in flight at once (pub/sub window; concurrent requests). */
  concurrency: number;
  /** Run each scenario this long instead of for `messages`. */
  durationMs?: number;
  /** Called with the messages completed so far, at most every 100 ms. */
  onProgress?: (done: number) => void;
}

/** Latency percentiles, in milliseconds. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What one scenario measured. */
export interface BenchResult {
  scenario: 'pubsub' | 'request';
  /** Messages delivered (pub/sub) or requests answered. */
  messages: number;
  seconds: number;
  /** Messages (or requests) per second. */
  rate: number;
  /** Payload megabytes per second (10^6 bytes). */
  mbPerSecond: number;
  latency: Percentiles;
  /** Pub/sub: published but never delivered. Request/reply: requests that failed. */
  lost: number;
}

/** A scenario gives up on messages that have not arrived after this long without progress. */
const STALL_MS = 5000;
const REQUEST_TIMEOUT = 10_000;

/**
 * Publish from `pub`, observe on `sub`, keeping at most `concurrency` messages in flight.
 * @param name - a message name nobody else uses.
 */
export async function benchPubSub(
  pub: Exchange,
  sub: Exchange,
  name: string,
  load: BenchLoad,
): Promise<BenchResult> {
  const payload = 'x'.repeat(load.size);
  const latencies: number[] = [];
  let sent = 0;
  let received = 0;
  let pump = () => {};
  const off = sub.on(name, (msg) => {
    latencies.push(performance.now() - (msg.value as { t: number }).t);
    received++;
    pump();
  });
  try {
    await pub.reachable(name, { observer: true, timeout: STALL_MS });
    const start = performance.now();
    const { limit, until } = bounds(load, start);
    let unwatch = () => {};
    try {
      // Settles once every message sent has arrived and no more may be sent (or on a stall).
      await new Promise<void>((resolve) => {
        unwatch = watch(() => received, load, resolve);
        pump = () => {
          while (sent < limit && sent - received < load.concurrency && performance.now() < until) {
            pub.send(name, { t: performance.now(), p: payload });
            sent++;
          }
          if (received >= sent) resolve();
        };
        pump();
      });
    } finally {
      unwatch();
    }
    return result('pubsub', latencies, performance.now() - start, load.size, sent - received);
  } finally {
    off();
  }
}

/**
 * Ask `requester` → `responder` (an echo handler), `concurrency` requests at a time.
 * @param name - a message name nobody else uses.
 */
export async function benchRequest(
  requester: Exchange,
  responder: Exchange,
  name: string,
  load: BenchLoad,
): Promise<BenchResult> {
  const payload = 'x'.repeat(load.size);
  const latencies: number[] = [];
  let issued = 0;
  let failed = 0;
  const off = responder.handle(name, (msg) => msg.value);
  try {
    await requester.reachable(name, { timeout: STALL_MS });
    const start = performance.now();
    const { limit, until } = bounds(load, start);
    // Each request times out on its own, so a stall ends by itself.
    const unwatch = watch(
      () => latencies.length + failed,
      load,
      () => {},
    );
    const worker = async () => {
      while (issued < limit && performance.now() < until) {
        issued++;
        const t = performance.now();
        try {
          await requester.request(name, payload, { timeout: REQUEST_TIMEOUT });
          latencies.push(performance.now() - t);
        } catch {
          failed++;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: load.concurrency }, worker));
    } finally {
      unwatch();
    }
    return result('request', latencies, performance.now() - start, load.size, failed);
  } finally {
    off();
  }
}

/** Latency percentiles of `samples` (ms); zeros if there are none. */
export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
}

function bounds(load: BenchLoad, start: number): { limit: number; until: number } {
  return load.durationMs === undefined
    ? { limit: load.messages, until: Infinity }
    : { limit: Infinity, until: start + load.durationMs };
}

/**
 * Report progress every 100 ms, and call `stalled` if nothing completes for STALL_MS.
 * @returns the function that stops watching.
 */
function watch(completed: () => number, load: BenchLoad, stalled: () => void): () => void {
  let last = -1;
  let lastChange = performance.now();
  const timer = setInterval(() => {
    const now = completed();
    load.onProgress?.(now);
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > STALL_MS) stalled();
  }, 100);
  return () => clearInterval(timer);
}

function result(
  scenario: BenchResult['scenario'],
  latencies: number[],
  ms: number,
  size: number,
  lost: number,
): BenchResult {
  const seconds = ms / 1000;
  const rate = latencies.length / seconds;
  return {
    scenario,
    messages: latencies.length,
    seconds,
    rate,
    mbPerSecond: (rate * size) / 1e6,
    latency: percentiles(latencies),
    lost,
  };
}
