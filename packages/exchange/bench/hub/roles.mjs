// What a client process does, by role. Each role connects through its system's adapter, says
// `ready` once the hub knows about it, warms up when told, waits for `go` (or `measure`) where
// timing starts, and answers `result`. Warm-ups get V8 (hubs and clients) past its first
// compilations, which would otherwise count in the hub's CPU time and the first rates.
// `io` is the process's link to the runner (client.mjs): send(), next(type), track(client).
import { nowMicros } from './wait.mjs';

/**
 * Publishers send in batches of BATCH and confirm each with a flush (a round trip through the hub);
 * at most WINDOW batches may be unconfirmed. That bounds the publisher's lead over the hub the same
 * way for every system, without a pause while the hub keeps up. (Unbounded, with every batch sent
 * before any confirmation, S1 at 64 B measured no faster, and 200,000 × 1 KiB would first pile up
 * in the publisher's buffers.)
 */
const BATCH = 1000;
const WINDOW = 16;
const PROGRESS_MS = 500;

const connect = (system, config, io) =>
  system.connect({ port: config.port, timeoutMs: config.timeoutMs }).then(io.track);

/** Every sequence number 0..count-1 exactly once: missing, duplicate, malformed and order checks. */
class SequenceCheck {
  constructor(count, onComplete) {
    this.count = count;
    this.seen = new Uint8Array(count);
    this.unique = this.duplicates = this.invalid = this.outOfOrder = this.next = 0;
    this.completedAt = 0;
    this.onComplete = onComplete;
  }

  see(seq) {
    if (seq < 0 || seq >= this.count) return void this.invalid++;
    if (seq !== this.next) this.outOfOrder++;
    this.next = seq + 1;
    if (this.seen[seq] === 1) return void this.duplicates++;
    this.seen[seq] = 1;
    if (++this.unique === this.count) {
      this.completedAt = nowMicros();
      this.onComplete();
    }
  }

  summary() {
    const { count, unique, duplicates, invalid, outOfOrder, completedAt } = this;
    return { expected: count, delivered: unique, duplicates, invalid, outOfOrder, completedAt };
  }
}

/** Subscribes `client` to `subject` with a check of `count` messages; resolves when it is live. */
async function checked(system, client, config, subject, count, onComplete) {
  const check = new SequenceCheck(count, onComplete);
  await client.subscribe(subject, (payload) => check.see(system.seqOf(payload, config.size)));
  return check;
}

/** Resolves after `n` calls of the function it returns. */
function countdown(n) {
  let done;
  const all = new Promise((resolve) => (done = resolve));
  return [all, () => --n === 0 && done()];
}

/**
 * `observers` connections subscribed to the subject and its warm-up subject; says `warmed` once
 * each has every warm-up message and answers `result` once each has every measured one.
 */
async function observe(system, config, io) {
  const [warmed, warmedOne] = countdown(config.observers);
  const [complete, completeOne] = countdown(config.observers);
  const checks = [];
  for (let k = 0; k < config.observers; k++) {
    const client = await connect(system, config, io);
    await checked(system, client, config, config.warmupSubject, config.warmup, warmedOne);
    checks.push(await checked(system, client, config, config.subject, config.count, completeOne));
  }
  const delivered = () => checks.reduce((sum, c) => sum + c.unique, 0);
  const ticker = setInterval(
    () => io.send({ type: 'progress', delivered: delivered() }),
    PROGRESS_MS,
  );
  io.send({ type: 'ready' });
  await warmed;
  io.send({ type: 'warmed' });
  // The runner asks for a report early if deliveries stall: partial counts are the diagnosis.
  await Promise.race([complete, io.next('report')]);
  clearInterval(ticker);
  io.send({ type: 'result', checks: checks.map((c) => c.summary()) });
}

/** Publishes `count` messages on `subject`, as fast as the hub confirms them. */
async function publishAll(system, client, subject, count, size) {
  const unconfirmed = [];
  for (let seq = 0; seq < count;) {
    const end = Math.min(count, seq + BATCH);
    for (; seq < end; seq++) client.publish(subject, system.payload(seq, size));
    const flushed = client.flush();
    flushed.catch(() => {}); // awaited below; this only keeps it from counting as unhandled
    unconfirmed.push(flushed);
    if (unconfirmed.length > WINDOW) await unconfirmed.shift();
  }
  await Promise.all(unconfirmed);
}

/** One connection: the warm-up messages on `warmup`, then the measured ones on `go`. */
async function publish(system, config, io) {
  const client = await connect(system, config, io);
  const { subject, count, size } = config;
  io.send({ type: 'ready' });
  await io.next('warmup');
  await publishAll(system, client, config.warmupSubject, config.warmup, size);
  await io.next('go');
  const startedAt = nowMicros();
  await publishAll(system, client, subject, count, size);
  io.send({ type: 'result', startedAt, finishedAt: nowMicros() });
}

/** Answers every request on the subject with its own payload. */
async function respond(system, config, io) {
  const client = await connect(system, config, io);
  await client.respond(config.subject, (payload) => payload);
  io.send({ type: 'ready' });
}

/** One request, checked: the echo must carry the same sequence number. */
async function ask(system, client, config, seq) {
  const reply = await client.request(config.subject, system.payload(seq, config.size));
  return system.seqOf(reply, config.size) === seq;
}

/** The q-quantile of sorted values, nearest rank. */
const quantile = (sorted, q) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];

async function sequential(system, client, config) {
  const latencies = new Float64Array(config.count);
  let mismatches = 0;
  for (let seq = 0; seq < config.count; seq++) {
    const t0 = process.hrtime.bigint();
    const ok = await ask(system, client, config, seq);
    latencies[seq] = Number(process.hrtime.bigint() - t0) / 1000;
    if (!ok) mismatches++;
  }
  latencies.sort();
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const [p50, p99, max] = [quantile(latencies, 0.5), quantile(latencies, 0.99), latencies.at(-1)];
  return { completed: config.count, mismatches, p50, p99, mean, max };
}

async function inFlight(system, client, config) {
  let issued = 0;
  let completed = 0;
  let mismatches = 0;
  const lane = async () => {
    while (issued < config.count) {
      if (!(await ask(system, client, config, issued++))) mismatches++;
      completed++;
    }
  };
  const t0 = nowMicros();
  await Promise.all(Array.from({ length: config.concurrency }, lane));
  const seconds = (nowMicros() - t0) / 1e6;
  return { completed, mismatches, seconds, rate: completed / seconds };
}

/** Requests after a short warm-up: sequential (latency) or `concurrency` in flight (rate). */
async function request(system, config, io) {
  const client = await connect(system, config, io);
  io.send({ type: 'ready' });
  await io.next('go');
  for (let seq = 0; seq < config.warmup; seq++) await ask(system, client, config, seq);
  // The runner reads the hub's CPU time between the warm-up and the measured requests.
  io.send({ type: 'warmed' });
  await io.next('measure');
  const result = await (config.mode === 'sequential' ? sequential : inFlight)(
    system,
    client,
    config,
  );
  io.send({ type: 'result', ...result });
}

/** Opens `count` idle connections (after one warm-up connection, so the hub's code is loaded). */
async function idle(system, config, io) {
  const warm = await system.connect({ port: config.port, timeoutMs: config.timeoutMs });
  await warm.flush();
  await warm.close();
  io.send({ type: 'ready' });
  await io.next('go');
  const BURST = 50; // connections opened at once, well under the listen backlog
  for (let opened = 0; opened < config.count;) {
    const burst = Math.min(BURST, config.count - opened);
    const clients = await Promise.all(
      Array.from({ length: burst }, () => connect(system, config, io)),
    );
    await Promise.all(clients.map((c) => c.flush()));
    opened += burst;
  }
  io.send({ type: 'result', connected: config.count });
}

export const ROLES = { observe, publish, respond, request, idle };
