// The hub scenarios S1–S4 and how one measurement of each runs: a fresh hub, fresh client
// processes, a bounded wait for every step, and a teardown that always runs. A measurement returns
// `{ ok, metrics, check }` or `{ ok: false, error, check? }`; it never throws for a system's fault.
import { delay } from './wait.mjs';
import { cpuSeconds, forkClient, rssKiB } from './processes.mjs';

/** Limits on every wait. A stuck system fails after these instead of hanging the run. */
const LIMITS = {
  hubStartMs: 10_000,
  readyMs: 20_000,
  /** Fixed part of a run's deadline, plus the time at the slowest rate we still wait for. */
  floorMs: 10_000,
  minDeliveriesPerSecond: 5_000,
  minRequestsPerSecond: 500,
  /** Low: with every client's routes advertised to every other, ours took over 30 s for 1,000. */
  minConnectsPerSecond: 20,
  /** Deliveries that make no progress for this long are reported as stalled. */
  stallMs: 5_000,
  reportMs: 3_000,
};

/** Counts per mode: `full` for `npm run bench`, `quick` for smoke runs (under a minute in all). */
export const COUNTS = {
  full: {
    messages: 200_000,
    fanoutMessages: 50_000,
    sequential: 10_000,
    inFlight: 50_000,
    idle: 1_000,
  },
  quick: { messages: 20_000, fanoutMessages: 2_000, sequential: 1_000, inFlight: 5_000, idle: 100 },
};

const FANOUT = 10;
const CONCURRENCY = 100;

/**
 * Every scenario: `group` (s1…s4) and `id` select it; `metrics` are its figures (`label` heads
 * the column, else `unit`), the first one is what ratios compare, `better` says which way is better.
 */
export function scenarios(counts) {
  const rate = (key, unit) => ({ key, unit, better: 'higher' });
  // The hub's own CPU time per unit of work: less sensitive than rates to a busy machine.
  const hubCpu = (per) => ({ key: 'hubCpuMicros', unit: `hub CPU µs/${per}`, better: 'lower' });
  const stream = (id, size, observers, messages, title) => ({
    id,
    group: id.slice(0, 2),
    title,
    kind: 'stream',
    size,
    observers,
    count: messages,
    metrics: [rate('rate', observers > 1 ? 'deliveries/s' : 'msg/s'), hubCpu('delivery')],
  });
  return [
    stream('s1-64', 64, 1, counts.messages, `1 publisher → 1 observer, 64 B`),
    stream('s1-1k', 1024, 1, counts.messages, `1 publisher → 1 observer, 1 KiB`),
    stream('s2', 64, FANOUT, counts.fanoutMessages, `1 publisher → ${FANOUT} observers, 64 B`),
    {
      id: 's3-seq',
      group: 's3',
      title: 'request/reply, sequential, 64 B',
      kind: 'request',
      mode: 'sequential',
      size: 64,
      count: counts.sequential,
      concurrency: 1,
      metrics: [
        { key: 'p50', unit: 'µs', label: 'p50 µs', better: 'lower' },
        { key: 'p99', unit: 'µs', label: 'p99 µs', better: 'lower' },
        hubCpu('request'),
      ],
    },
    {
      id: 's3-inflight',
      group: 's3',
      title: `request/reply, ${CONCURRENCY} in flight, 64 B`,
      kind: 'request',
      mode: 'inflight',
      size: 64,
      count: counts.inFlight,
      concurrency: CONCURRENCY,
      metrics: [rate('rate', 'req/s'), hubCpu('request')],
    },
    {
      id: 's4',
      group: 's4',
      title: `hub RSS with ${counts.idle.toLocaleString('en')} idle clients`,
      kind: 'idle',
      count: counts.idle,
      metrics: [
        { key: 'perConnectionKiB', unit: 'KiB/conn', better: 'lower' },
        { key: 'rssBeforeMiB', unit: 'MiB', label: 'RSS before, MiB' },
        { key: 'rssAfterMiB', unit: 'MiB', label: 'RSS after, MiB' },
      ],
    },
  ];
}

/** Messages or requests sent before the measured ones: a tenth, at most 10,000. */
const warmupCount = (count) => Math.min(10_000, Math.ceil(count / 10));
/**
 * Sequential requests warm up for half their count (5,000 of a full run): the p50 is of the
 * steady state. Round trips at the requester's socket, per 1,000 requests from the first, kept
 * falling for about 4,000 in every system (bench/README.md, "Warm-up"); with a 1,000-request
 * warm-up, the measured 10,000 included the JIT's start-up, at a cost that grows with the code
 * a message runs through.
 */
const sequentialWarmup = (count) => Math.min(10_000, Math.ceil(count / 2));

const deadline = (count, perSecond) => LIMITS.floorMs + (1000 * count) / perSecond;

/**
 * Run `fn(start, hub)` on a fresh hub. `start(...configs)` forks one client process per config, all
 * at once, and resolves when every one is ready. Clients are stopped, then the hub, whatever happens.
 */
async function withHub(system, fn) {
  const hub = await system.startHub({ timeoutMs: LIMITS.hubStartMs });
  const children = [];
  const start = (...configs) => {
    const started = configs.map((config) =>
      forkClient({ system: system.key, port: hub.port, timeoutMs: LIMITS.readyMs, ...config }),
    );
    children.push(...started);
    return Promise.all(started.map((c) => c.next('ready', LIMITS.readyMs).then(() => c)));
  };
  try {
    return await fn(start, hub);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await hub.stop();
  }
}

/** Wait for the observers' result, or ask for their counts once deliveries stall. */
async function observerResult(observers, deadlineAt) {
  let last = observers.progress?.delivered ?? -1;
  for (;;) {
    const waitMs = Math.min(LIMITS.stallMs, deadlineAt - Date.now());
    try {
      return { ...(await observers.next('result', Math.max(1, waitMs))), stalled: false };
    } catch (error) {
      if (error.name !== 'TimeoutError') throw error;
    }
    const delivered = observers.progress?.delivered ?? 0;
    if (delivered === last || Date.now() >= deadlineAt) {
      observers.send({ type: 'report' });
      return { ...(await observers.next('result', LIMITS.reportMs)), stalled: true };
    }
    last = delivered;
  }
}

function streamCheck(checks) {
  const sum = (key) => checks.reduce((total, c) => total + c[key], 0);
  const check = {
    expected: sum('expected'),
    delivered: sum('delivered'),
    duplicates: sum('duplicates'),
    invalid: sum('invalid'),
    outOfOrder: sum('outOfOrder'),
  };
  check.missing = check.expected - check.delivered;
  return check;
}

async function measureStream(system, scenario) {
  const subject = `bench.${scenario.id}`;
  const { count, size, observers: n } = scenario;
  return withHub(system, async (start, hub) => {
    const warmup = warmupCount(count);
    const base = { subject, warmupSubject: `${subject}.warmup`, warmup, count, size };
    // The publisher waits for `go`, sent once the observers are subscribed.
    const [observers, publisher] = await start(
      { ...base, role: 'observe', observers: n },
      { ...base, role: 'publish' },
    );
    publisher.send({ type: 'warmup' });
    await observers.next('warmed', deadline(warmup * n, LIMITS.minDeliveriesPerSecond));
    const deadlineAt = Date.now() + deadline(count * n, LIMITS.minDeliveriesPerSecond);
    const cpuBefore = cpuSeconds(hub.pid);
    publisher.send({ type: 'go' });
    const published = await publisher.next('result', deadlineAt - Date.now()).catch((e) => e);
    const seen = await observerResult(observers, deadlineAt);
    const hubCpuMicros = ((cpuSeconds(hub.pid) - cpuBefore) * 1e6) / (count * n);
    const check = streamCheck(seen.checks);
    const problem =
      published instanceof Error
        ? `publisher: ${published.message}`
        : check.missing || check.duplicates || check.invalid
          ? `${check.missing} missing, ${check.duplicates} duplicate, ${check.invalid} malformed` +
            (seen.stalled ? ' (deliveries stalled)' : '')
          : null;
    if (problem) return { ok: false, error: problem, check };
    const lastAt = Math.max(...seen.checks.map((c) => c.completedAt));
    const seconds = (lastAt - published.startedAt) / 1e6;
    const metrics = { rate: check.delivered / seconds, hubCpuMicros };
    return { ok: true, metrics, check: { ...check, seconds } };
  });
}

async function measureRequests(system, scenario) {
  const subject = `bench.${scenario.id}`;
  const { count, size, mode, concurrency } = scenario;
  const warmup = mode === 'sequential' ? sequentialWarmup(count) : warmupCount(count);
  return withHub(system, async (start, hub) => {
    const [, requester] = await start(
      { role: 'respond', subject, size },
      { role: 'request', subject, size, count, mode, concurrency, warmup },
    );
    requester.send({ type: 'go' });
    await requester.next('warmed', deadline(warmup, LIMITS.minRequestsPerSecond));
    const cpuBefore = cpuSeconds(hub.pid);
    requester.send({ type: 'measure' });
    const result = await requester.next('result', deadline(count, LIMITS.minRequestsPerSecond));
    const hubCpuMicros = ((cpuSeconds(hub.pid) - cpuBefore) * 1e6) / count;
    const check = { expected: count, completed: result.completed, mismatches: result.mismatches };
    if (result.completed !== count || result.mismatches > 0) {
      return { ok: false, error: `${result.mismatches} wrong replies of ${count}`, check };
    }
    const { p50, p99, mean, max, rate } = result;
    const metrics =
      mode === 'sequential' ? { p50, p99, hubCpuMicros, mean, max } : { rate, hubCpuMicros };
    return { ok: true, metrics, check };
  });
}

/** RSS once it has settled: two readings 200 ms apart within 1%, or the last after 3 s. */
async function settledRssKiB(pid) {
  let previous = rssKiB(pid);
  for (let i = 0; i < 15; i++) {
    await delay(200);
    const now = rssKiB(pid);
    if (Math.abs(now - previous) <= previous * 0.01) return now;
    previous = now;
  }
  return previous;
}

async function measureIdle(system, scenario) {
  return withHub(system, async (start, hub) => {
    const [clients] = await start({ role: 'idle', count: scenario.count });
    const before = await settledRssKiB(hub.pid);
    clients.send({ type: 'go' });
    const { connected } = await clients.next(
      'result',
      deadline(scenario.count, LIMITS.minConnectsPerSecond),
    );
    const after = await settledRssKiB(hub.pid);
    const metrics = {
      perConnectionKiB: (after - before) / connected,
      rssBeforeMiB: before / 1024,
      rssAfterMiB: after / 1024,
    };
    return { ok: true, metrics, check: { expected: scenario.count, connected } };
  });
}

const MEASURE = { stream: measureStream, request: measureRequests, idle: measureIdle };

/** One measurement of `scenario` on `system`; a failure is a result, not an exception. */
export async function measure(system, scenario) {
  try {
    return await MEASURE[scenario.kind](system, scenario);
  } catch (error) {
    return { ok: false, error: error.message.split('\n')[0] };
  }
}
