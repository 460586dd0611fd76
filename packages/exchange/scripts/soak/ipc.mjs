// Scenario 4, IPC backpressure: a producer process streams to a consumer (a child process, then a
// worker thread) ten times faster than the consumer can take messages. The link's credit window
// and bounded queue must hold the producer's memory down (sends beyond the queue are refused with
// CONGESTED), every accepted message must arrive in order, and a consumer killed with requests in
// flight must be noticed at once and its requests answered by the other consumer.
// test/transports/ipc.test.ts covers the mechanisms (flow control, failover) at small scale; this
// runs them together, for longer, in processes of their own, with the targets.
import { figure, startRole } from './lib.mjs';

export const title =
  'IPC backpressure (producer 10x faster than its consumer) and a killed consumer';

/** Consumer cost per message: 200 µs, so it takes at most 5,000 msg/s; the producer offers 10x. */
const COST_MICROS = 200;
const RATE = 10 * (1e6 / COST_MICROS);
/** The IPC link's bounds (explicit, so the figures can be held to them). */
const LINK = { window: 256 * 1024, maxQueued: 5000, maxBuffered: 512 * 1024 };
const PAD = 64;

export const sizes = {
  ci: { ms: 5000, memoryGrowthMiB: 5 },
  soak: { ms: 60_000, memoryGrowthMiB: 5 },
};

export async function run(size, log) {
  const figures = [];
  const kinds = {};
  for (const [kind, worker] of [
    ['child', false],
    ['worker', true],
  ]) {
    const producer = await startRole('ipc-producer', { execArgv: ['--expose-gc'] });
    try {
      await producer.call('start', {
        consumers: [
          { id: 'c0', worker },
          { id: 'c1', worker },
        ],
        costMicros: COST_MICROS,
        link: LINK,
      });
      const s = await producer.call(
        'stream',
        { to: 'c0', rate: RATE, ms: size.ms, pad: PAD },
        size.ms + 60_000,
      );
      const got = await producer.call('report', { id: 'c0' }, 120_000);
      // Memory once the link is full (after the first second) against the rest of the run.
      const settled = s.samples.filter((x) => x.t >= 1000);
      const firstRss = settled[0]?.rss ?? NaN;
      const maxRss = Math.max(...settled.map((x) => x.rss));
      const firstHeap = settled[0]?.heapUsed ?? NaN;
      const maxHeap = Math.max(...settled.map((x) => x.heapUsed));
      const growth = maxHeap - firstHeap;
      const accepted = s.accepted / (size.ms / 1000);
      log(
        `  ${kind}: offered ${s.offered} in ${size.ms / 1000} s (${RATE}/s), accepted ${s.accepted} (${accepted.toFixed(0)}/s), ` +
          `refused ${s.refused} (CONGESTED), other errors ${s.other}; consumer got ${got.count}, in order: ${got.inOrder}; ` +
          `max queued ${s.maxQueued} (cap ${LINK.maxQueued}); flow ${JSON.stringify(s.flow)}; producer RSS ${firstRss.toFixed(1)} → max ${maxRss.toFixed(1)} MiB, heap after GC ${firstHeap.toFixed(1)} → max ${maxHeap.toFixed(1)} MiB`,
      );
      // Round-robin while c0 is congested: does a request go to c1, which has room?
      const busy = await producer.call(
        'jobsWhileCongested',
        { busy: 'c0', count: 20, rate: RATE, pad: PAD },
        60_000,
      );
      const refusedJobs = busy.outcomes.filter((o) => o === 'error CONGESTED').length;
      log(
        `  ${kind}: 20 jobs while c0 is congested (${busy.congested}): ${refusedJobs} failed CONGESTED, the rest ${JSON.stringify([...new Set(busy.outcomes)])}`,
      );
      await producer.call('report', { id: 'c0' }, 120_000);
      // Kill c0 with jobs in flight to it while the producer streams to it (politely).
      const k = await producer.call(
        'killWithJobsInFlight',
        {
          victim: 'c0',
          count: 20,
          jobMs: 1000,
          killAfter: 300,
          streamMs: 2000,
          rate: RATE,
          pad: PAD,
        },
        60_000,
      );
      log(
        `  ${kind}: c0 killed with ${k.inFlightAtVictim} requests in flight to it: noticed after ${k.noticedMs.toFixed(1)} ms; ` +
          `${k.answered} of 20 answered (${k.byVictim} by c0), errors ${JSON.stringify(k.errors)}; peers left ${k.peersLeft}, pending ${k.pending}`,
      );
      kinds[kind] = {
        stream: { ...s, samples: undefined },
        got,
        growth,
        firstRss,
        maxRss,
        firstHeap,
        maxHeap,
        kill: k,
        refusedJobs,
      };
      figures.push(
        figure(`${kind}: accepted / offered`, `${s.accepted} / ${s.offered}`, 'msgs', '', null),
        figure(
          `${kind}: accepted messages delivered, in order`,
          `${got.count} of ${s.accepted}${got.inOrder ? ', in order' : ', OUT OF ORDER'}`,
          '',
          'all, in order',
          got.count === s.accepted && got.inOrder,
        ),
        figure(`${kind}: other send errors than CONGESTED`, s.other, '', '0', s.other === 0),
        figure(
          `${kind}: most frames queued`,
          s.maxQueued,
          'frames',
          `<= ${LINK.maxQueued}`,
          s.maxQueued <= LINK.maxQueued,
        ),
        figure(`${kind}: most bytes buffered toward the consumer`, s.flow.maxBuffered, 'B', ''),
        figure(
          `${kind}: producer heap after GC, at 1 s → max`,
          `${firstHeap.toFixed(1)} → ${maxHeap.toFixed(1)}`,
          'MiB',
          `growth < ${size.memoryGrowthMiB}`,
          growth < size.memoryGrowthMiB,
        ),
        figure(
          `${kind}: producer process RSS at 1 s → max${worker ? ' (with its workers)' : ''}`,
          `${firstRss.toFixed(1)} → ${maxRss.toFixed(1)}`,
          'MiB',
        ),
        figure(
          `${kind}: killed consumer noticed after`,
          k.noticedMs,
          'ms',
          '< 100',
          k.noticedMs < 100,
        ),
        figure(`${kind}: requests in flight to it`, k.inFlightAtVictim, ''),
        figure(
          `${kind}: jobs answered after the kill`,
          `${k.answered} of 20`,
          '',
          'all, by c1',
          k.answered === 20 && k.byVictim === 0,
        ),
        figure(
          `${kind}: jobs failed CONGESTED while c0 was congested and c1 free`,
          `${refusedJobs} of 20`,
          '',
          '0',
          refusedJobs === 0,
        ),
      );
    } finally {
      await producer.stop();
    }
  }
  return { figures, kinds };
}
