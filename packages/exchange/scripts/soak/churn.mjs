// Scenario 3, connection churn: cycles of connect → observe → send → close against a hub process,
// many at a time. Afterwards the hub's file descriptors (/proc/<pid>/fd) and its routing table
// (`$exchange.info`: peers and routes) must be back where they started.
import { fdCount, figure, startHub, startRole, waitFor } from './lib.mjs';

export const title = 'connection churn (connect → observe → send → close)';

/**
 * Heap the hub may keep after the churn, in MiB: its message log holds the last 10,000
 * envelopes it passed on (~0.6 KiB each), full after ~3,000 cycles; 5 MiB more for the rest.
 */
const HEAP_TOLERANCE_MIB = 10;

export const sizes = {
  ci: { cycles: 2000, concurrency: 200, limitMs: 120_000 },
  soak: { cycles: 50_000, concurrency: 200, limitMs: 1_800_000 },
};

export async function run(size, log) {
  const hub = await startHub({ gc: true });
  const witness = await startRole('observer');
  const churn = await startRole('churn');
  try {
    await witness.call('connect', { url: hub.wsUrl, id: 'witness', name: 'churn.msg' });
    const before = { fds: fdCount(hub.pid), ...(await witness.call('info')), rss: hub.rss() };
    const heapBefore = (await hub.gc()).heapUsed;
    log(
      `  before: hub ${before.fds} fds, ${before.peers} peers, ${before.routes} routes, RSS ${before.rss.toFixed(1)} MiB`,
    );
    let peakFds = before.fds;
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      try {
        peakFds = Math.max(peakFds, fdCount(hub.pid));
        peakRss = Math.max(peakRss, hub.rss());
      } catch {
        // the hub died: the waits below say so
      }
    }, 200);
    let lastLog = 0;
    churn.on('progress', (e) => {
      if (performance.now() - lastLog < 10_000) return;
      lastLog = performance.now();
      log(`    ${e.done} cycles, hub ${fdCount(hub.pid)} fds, RSS ${hub.rss().toFixed(0)} MiB`);
    });
    const result = await churn
      .call(
        'run',
        { url: hub.wsUrl, cycles: size.cycles, concurrency: size.concurrency },
        size.limitMs,
      )
      .finally(() => clearInterval(sampler));
    // Every client said bye; the hub closes their sockets as the byes arrive.
    let after;
    await waitFor(
      async () => {
        after = { fds: fdCount(hub.pid), ...(await witness.call('info')), rss: hub.rss() };
        return (
          after.fds <= before.fds && after.peers === before.peers && after.routes === before.routes
        );
      },
      { timeout: 30_000, every: 250, what: 'the hub to settle' },
    ).catch(() => {});
    const delivered = await witness.call('count');
    const heapAfter = (await hub.gc()).heapUsed;
    const rate = result.done / (result.ms / 1000);
    log(
      `  ${result.done} cycles in ${(result.ms / 1000).toFixed(1)} s (${rate.toFixed(0)}/s), ${result.failed} failed` +
        `${result.firstError ? ` (${result.firstError})` : ''}; peak hub ${peakFds} fds, RSS ${peakRss.toFixed(0)} MiB; ` +
        `after: ${after.fds} fds, ${after.peers} peers, ${after.routes} routes, RSS ${after.rss.toFixed(1)} MiB; ` +
        `the witness got ${delivered} of the ${result.done} messages; hub counters ${JSON.stringify(after.counters)}`,
    );
    const figures = [
      figure(
        'cycles completed',
        `${result.done} of ${size.cycles}`,
        '',
        'all',
        result.done === size.cycles,
      ),
      figure('cycles per second', rate, '/s'),
      figure(
        'hub fds before → peak → after',
        `${before.fds} → ${peakFds} → ${after.fds}`,
        '',
        'after = before',
        after.fds === before.fds,
      ),
      figure(
        'hub peers before → after',
        `${before.peers} → ${after.peers}`,
        '',
        'after = before',
        after.peers === before.peers,
      ),
      figure(
        'hub routes before → after',
        `${before.routes} → ${after.routes}`,
        '',
        'after = before',
        after.routes === before.routes,
      ),
      figure(
        'hub RSS before → peak → after',
        `${before.rss.toFixed(0)} → ${peakRss.toFixed(0)} → ${after.rss.toFixed(0)}`,
        'MiB',
      ),
      figure(
        'hub heap after GC, before → after',
        `${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)}`,
        'MiB',
        `growth < ${HEAP_TOLERANCE_MIB}`,
        heapAfter - heapBefore < HEAP_TOLERANCE_MIB,
      ),
      figure(
        'messages sent just before close that arrived',
        `${delivered} of ${result.done}`,
        '',
        'all',
        delivered === result.done,
      ),
    ];
    return { figures, before, after, peakFds, result, delivered, heapBefore, heapAfter };
  } finally {
    await Promise.all([churn.stop(), witness.stop(), hub.stop()]);
  }
}
