// The fast end of the IPC scenario: starts consumers over the IPC transport and streams to one of
// them faster than it can take, then kills it with requests in flight.
import { fileURLToPath } from 'node:url';
import { exchange, memory } from '../library.mjs';

const CONSUMER = fileURLToPath(new URL('../ipc-consumer.mjs', import.meta.url));
let ex;
const peers = new Map();
/** Consumers that left, and why (their link's close reason). */
const departures = [];

export const commands = {
  /** Start each consumer `{ id, worker }`; `link` has the IPC link's bounds. */
  async start({ consumers, costMicros, link }) {
    ex = exchange({ id: 'producer' });
    ex.on('$exchange.peer.disconnected', (m) =>
      departures.push({ ...m.value, at: performance.now() }),
    );
    for (const { id, worker } of consumers) {
      const peer = await ex.connect({
        transport: 'ipc',
        script: CONSUMER,
        worker,
        args: [id, String(costMicros)],
        env: { SOAK_IPC_WINDOW: String(link.window) },
        execArgv: [],
        ...link,
      });
      peers.set(id, peer);
    }
    await ex.reachable('ipc.job', { timeout: 10_000 });
  },

  /**
   * Offer `{ seq, pad }` to consumer `to` at `rate` per second for `ms`: what the link refuses
   * (CONGESTED, synchronously) is counted and not retried. Memory is sampled every second, after a GC.
   */
  async stream({ to, rate, ms, pad = 0, polite = false }) {
    const peer = peers.get(to);
    const filler = 'x'.repeat(pad);
    let seq = 0;
    let refused = 0;
    let other = 0;
    let offered = 0;
    let maxQueued = 0;
    const samples = [];
    const t0 = performance.now();
    await new Promise((resolve) => {
      const sampler = setInterval(() => {
        // After a full GC (the producer runs with --expose-gc): live memory, not garbage. The
        // heap is this thread's; RSS includes worker-thread consumers when there are any.
        globalThis.gc?.();
        const m = process.memoryUsage();
        samples.push({
          t: performance.now() - t0,
          rss: m.rss / 2 ** 20,
          heapUsed: m.heapUsed / 2 ** 20,
          queued: peer.link.queued,
        });
      }, 1000);
      const timer = setInterval(() => {
        const elapsed = performance.now() - t0;
        const due = Math.floor((Math.min(elapsed, ms) * rate) / 1000);
        // A polite producer waits while the link says it is congested (and skips those slots).
        if (polite && peer.congested) offered = due;
        while (offered < due) {
          offered++;
          try {
            peer.send('ipc.n', { seq, pad: filler });
            seq++;
          } catch (e) {
            if (e.code === 'CONGESTED') refused++;
            else other++;
          }
          maxQueued = Math.max(maxQueued, peer.link.queued);
        }
        if (elapsed >= ms) {
          clearInterval(timer);
          clearInterval(sampler);
          resolve();
        }
      }, 2);
    });
    return {
      accepted: seq,
      refused,
      other,
      offered,
      maxQueued,
      flow: { ...peer.link.flow },
      samples,
      memory: memory(),
    };
  },

  /** Ask consumer `id` what it got, once the link has room for the question. */
  async report({ id, timeout = 60_000 }) {
    const peer = peers.get(id);
    if (!peer.open) throw new Error(`${id} is gone: ${JSON.stringify(departures)}`);
    const until = performance.now() + timeout;
    while (peer.link.queued > 0 && performance.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    return peer.request('ipc.report', undefined, { timeout });
  },

  /**
   * Send `count` jobs of `jobMs` each (balanced over the consumers), then stream to `victim` for
   * `streamMs` (politely: pausing while congested), kill `victim` after `killAfter` ms (SIGKILL,
   * or terminate() for a worker), and time until the producer's exchange saw it leave. Every job
   * must still be answered: those in flight at the victim fail over to the others.
   */
  async killWithJobsInFlight({ victim, count, jobMs, killAfter, streamMs, rate, pad }) {
    const answeredBy = new Map();
    const jobs = Array.from({ length: count }, (_, n) =>
      ex.request('ipc.job', { n, ms: jobMs }, { timeout: 30_000 }).then(
        (r) => answeredBy.set(n, r.by),
        (e) => answeredBy.set(n, `error ${e.code}`),
      ),
    );
    const streaming = streamMs
      ? commands.stream({ to: victim, rate, ms: streamMs, pad, polite: true })
      : undefined;
    await new Promise((resolve) => setTimeout(resolve, killAfter));
    const inFlightAtVictim = peers.get(victim).inflight.size;
    const left = new Promise((resolve) => {
      const off = ex.on('$exchange.peer.disconnected', (m) => {
        if (m.value.peer !== victim) return;
        off();
        resolve(performance.now());
      });
    });
    const child = peers.get(victim).link.child;
    const t0 = performance.now();
    if ('terminate' in child) void child.terminate();
    else child.kill('SIGKILL');
    const noticedMs = (await left) - t0;
    await Promise.all(jobs);
    await streaming;
    const by = [...answeredBy.values()];
    return {
      noticedMs,
      inFlightAtVictim,
      answered: by.filter((b) => !b.startsWith('error')).length,
      errors: by.filter((b) => b.startsWith('error')),
      byVictim: by.filter((b) => b === victim).length,
      peersLeft: ex.describe().peers,
      pending: ex.describe().counters.pending,
    };
  },

  /** Jobs balanced over the consumers while `busy` is congested: how many fail CONGESTED. */
  async jobsWhileCongested({ busy, count, rate, pad }) {
    const streaming = commands.stream({ to: busy, rate, ms: 1500, pad });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const congested = peers.get(busy).congested;
    const outcomes = await Promise.all(
      Array.from({ length: count }, (_, n) =>
        ex.request('ipc.job', { n, ms: 10 }, { timeout: 30_000 }).then(
          (r) => r.by,
          (e) => `error ${e.code}`,
        ),
      ),
    );
    await streaming;
    return { congested, outcomes };
  },

  close: () => ex?.close(),
};
