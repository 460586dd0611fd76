// Scenario 1, reconnect buffering: a publisher process at 1,000 msg/s to a hub process
// (`exchange serve`) with an observer process. The hub is SIGKILLed and restarted on the same
// port; what the publisher sent meanwhile must reach the observer, in order, soon after the
// publisher is back. Then the hub stays down until the publisher's buffer is full.
import { figure, freePort, now, sleep, startHub, startRole, waitFor } from './lib.mjs';

export const title = 'reconnect buffering (publisher → hub → observer, hub SIGKILLed)';

const NAME = 'rel.tick';
/** Reconnects within 50 ms of the hub coming back. */
const FAST = { initialDelay: 20, maxDelay: 50, jitter: 0 };

export const sizes = {
  ci: {
    rate: 1000,
    warmMs: 1000,
    afterMs: 1000,
    pad: 64,
    maxQueued: 2000,
    refuseMs: 2000,
    cycles: 0,
  },
  soak: {
    rate: 1000,
    warmMs: 3000,
    afterMs: 3000,
    pad: 1024,
    maxQueued: 10_000,
    refuseMs: 10_000,
    cycles: 5,
  },
};

/**
 * Cases: `observer-first` (the publisher retries only every 2 s, so the observer is back at the
 * restarted hub first), `publisher-first` (the reverse), `default` (both with the default
 * reconnect policy: whoever wins the race), and `full` (the hub stays down until the buffer is
 * full, then comes back).
 */
export async function run(size, log) {
  const out = { figures: [], cases: {} };
  // Back after 1.5 s (CI) or 2 s: the observer is back first, and the buffer is not full yet.
  const back = Math.min(2000, (750 * size.maxQueued) / size.rate);
  const slow = { initialDelay: back, maxDelay: back, jitter: 0 };
  const first = await restartCase({ size, pub: slow, obs: FAST }, log);
  out.cases['observer-first'] = first;
  const rev = await restartCase(
    { size, pub: FAST, obs: { initialDelay: 1500, maxDelay: 1500, jitter: 0 } },
    log,
  );
  out.cases['publisher-first'] = rev;
  const races = [];
  for (let i = 0; i < size.cycles; i++)
    races.push(await restartCase({ size, pub: undefined, obs: undefined }, log));
  out.cases.default = races;
  const full = await fullCase({ size, pub: slow, obs: FAST }, log);
  out.cases.full = full;

  const f = out.figures;
  f.push(
    figure(
      'hub back after SIGKILL (observer-first)',
      first.restartMs,
      'ms',
      '< 2000',
      first.restartMs < 2000,
    ),
  );
  f.push(figure('buffered while down (observer-first)', first.buffered, 'msgs'));
  f.push(
    figure(
      'buffered lost (observer-first)',
      first.lostBuffered,
      'msgs',
      '0',
      first.lostBuffered === 0,
    ),
  );
  f.push(
    figure('order kept (observer-first)', first.inOrder ? 'yes' : 'NO', '', 'yes', first.inOrder),
  );
  f.push(
    figure(
      'flushed after reconnect (observer-first)',
      first.flushMs,
      'ms',
      '< 1000',
      first.flushMs < 1000,
    ),
  );
  for (const [label, r] of [
    ['observer-first', first],
    ['publisher-first', rev],
    ['full buffer', full],
  ]) {
    f.push(
      figure(
        `written to the dying connection, unacknowledged: sent again (${label})`,
        r.resent,
        'msgs',
      ),
    );
    const w = r.inFlightWindow.length
      ? ` (sent ${r.inFlightWindow.map((ms) => ms.toFixed(0)).join(' to ')} ms after the kill)`
      : '';
    f.push(
      figure(
        `written to the dead connection, lost (${label})${w}`,
        r.lostInFlight,
        'msgs',
        '0',
        r.lostInFlight === 0,
      ),
    );
  }
  const dupes = [first, rev, ...races, full].reduce((a, r) => a + r.duplicates, 0);
  f.push(figure('delivered twice (every case)', dupes, 'msgs', '0', dupes === 0));
  f.push(figure('buffered while down (publisher-first)', rev.buffered, 'msgs'));
  f.push(
    figure(
      'buffered lost (publisher-first)',
      rev.lostBuffered,
      'msgs',
      '0',
      rev.lostBuffered === 0,
    ),
  );
  f.push(
    figure(
      'lost after reconnect (publisher-first)',
      rev.lostAfter,
      'msgs',
      '0',
      rev.lostAfter === 0,
    ),
  );
  f.push(
    figure('flushed after reconnect (publisher-first: waits for the observer)', rev.flushMs, 'ms'),
  );
  if (races.length > 0) {
    const bad = races.filter((r) => r.lostBuffered + r.lostAfter > 0);
    const lost = races.reduce((a, r) => a + r.lostBuffered + r.lostAfter, 0);
    f.push(
      figure(
        'default policy: restarts that lost messages',
        `${bad.length} of ${races.length}`,
        '',
        '0',
        bad.length === 0,
      ),
    );
    f.push(figure('default policy: messages lost in all', lost, 'msgs', '0', lost === 0));
  }
  f.push(figure('buffer cap (maxQueued)', size.maxQueued, 'msgs'));
  f.push(
    figure(
      'queued at the first CONGESTED',
      full.queuedAtRefusal,
      'msgs',
      `= ${size.maxQueued}`,
      full.queuedAtRefusal === size.maxQueued,
    ),
  );
  f.push(
    figure(
      'send refusals while full (all CONGESTED, synchronous)',
      full.refused,
      'sends',
      '> 0, no other error',
      full.refused > 0 && full.otherErrors === 0,
    ),
  );
  f.push(
    figure(
      'request while full',
      `${full.request.code} in ${full.request.ms.toFixed(1)} ms`,
      '',
      'CONGESTED at once',
      full.request.code === 'CONGESTED' && full.request.ms < 50,
    ),
  );
  f.push(
    figure('publisher heap for the full buffer (after GC)', full.heapFillMiB, 'MiB'),
    figure('publisher heap per buffered message', full.perMessageBytes / 1024, 'KiB'),
    figure(
      'publisher heap growth while refusing, over the full buffer (after GC)',
      full.refuseHeapGrowthMiB,
      'MiB',
      '< 2',
      full.refuseHeapGrowthMiB < 2,
    ),
    figure(
      'publisher RSS: before → full → max while refusing',
      `${full.memory.base.rss.toFixed(1)} → ${full.memory.atFull.rss.toFixed(1)} → ${full.maxRssRefusing.toFixed(1)}`,
      'MiB',
    ),
  );
  f.push(
    figure(
      'buffered lost (full buffer, restarted)',
      full.lostBuffered,
      'msgs',
      '0',
      full.lostBuffered === 0,
    ),
  );
  f.push(
    figure(
      'flushed after reconnect (full buffer)',
      full.flushMs,
      'ms',
      '< 1000',
      full.flushMs < 1000,
    ),
  );
  return out;
}

async function startTrio({ size, pub, obs, port, gc = false }) {
  const hub = await startHub({ port });
  const observer = await startRole('observer');
  await observer.call('connect', {
    url: hub.wsUrl,
    name: NAME,
    ...(obs ? { reconnect: obs } : {}),
  });
  const publisher = await startRole('publisher', gc ? { execArgv: ['--expose-gc'] } : {});
  await publisher.call('connect', {
    url: hub.wsUrl,
    name: NAME,
    maxQueued: size.maxQueued,
    ...(pub ? { reconnect: pub } : {}),
  });
  return { hub, observer, publisher };
}

/** Kill the hub, restart it at once on the same port, and account for every message. */
async function restartCase({ size, pub, obs }, log) {
  const port = await freePort();
  const t = await startTrio({ size, pub, obs, port });
  try {
    await t.publisher.call('start', { name: NAME, rate: size.rate, pad: size.pad });
    await sleep(size.warmMs);
    const reconnected = t.publisher.next('reconnected', () => true, 20_000);
    const killAt = now();
    await t.hub.kill('SIGKILL');
    t.hub = await startHub({ port });
    const restartMs = t.hub.readyAt - killAt;
    const { at: reconnectAt } = await reconnected;
    await sleep(size.afterMs);
    const sent = await t.publisher.call('stop');
    const result = await collect(t.observer, sent, killAt, reconnectAt);
    const r = {
      restartMs,
      reconnectMs: reconnectAt - killAt,
      ...result,
      resent: sent.resent,
      policy: { pub, obs },
    };
    log(
      `  restart (pub ${pub ? pub.maxDelay : 'default'} ms, obs ${obs ? obs.maxDelay : 'default'} ms): ` +
        `hub back in ${restartMs.toFixed(0)} ms, publisher back after ${r.reconnectMs.toFixed(0)} ms; ` +
        `sent ${r.sent}, buffered ${r.buffered}, resent ${r.resent} (unacknowledged at the kill), ` +
        `duplicates ${r.duplicates}, lost: ${r.lostInFlight} in flight at the kill, ` +
        `${r.lostBuffered} buffered ${JSON.stringify(r.lostHeldMs)}, ${r.lostAfter} after; flush ${r.flushMs.toFixed(0)} ms, longest stall ${r.stallMs.toFixed(0)} ms; ` +
        `publisher counters ${JSON.stringify(sent.counters)}`,
    );
    return r;
  } finally {
    await Promise.all([t.publisher.stop(), t.observer.stop(), t.hub.stop()]);
  }
}

/** Keep the hub down until the publisher's buffer is full, then restart it. */
async function fullCase({ size, pub, obs }, log) {
  const port = await freePort();
  const t = await startTrio({ size, pub, obs, port, gc: true });
  try {
    await t.publisher.call('start', { name: NAME, rate: size.rate, pad: size.pad });
    await sleep(size.warmMs);
    const base = await t.publisher.call('memory');
    const killAt = now();
    await t.hub.kill('SIGKILL');
    const fillLimit = (size.maxQueued / size.rate) * 1000 + 20_000;
    const full = await waitFor(async () => (await t.publisher.call('status')).firstRefusal, {
      timeout: fillLimit,
      every: 50,
      what: 'the publisher buffer to fill',
    });
    const atFull = await t.publisher.call('memory');
    const request = await t.publisher.call('request', { timeout: 1000 });
    const samples = [];
    const refuseUntil = Date.now() + size.refuseMs;
    while (Date.now() < refuseUntil) {
      await sleep(Math.min(1000, size.refuseMs / 4));
      samples.push(await t.publisher.call('memory'));
    }
    const reconnected = t.publisher.next('reconnected', () => true, 20_000);
    t.hub = await startHub({ port });
    const { at: reconnectAt } = await reconnected;
    await sleep(size.afterMs);
    const sent = await t.publisher.call('stop');
    const result = await collect(t.observer, sent, killAt, reconnectAt);
    const heapFill = atFull.heapUsed + atFull.external - base.heapUsed - base.external;
    const maxLater = Math.max(...samples.map((s) => s.rss));
    const heap = (m) => m.heapUsed + m.external;
    const maxHeapLater = Math.max(...samples.map(heap));
    const r = {
      ...result,
      resent: sent.resent,
      queuedAtRefusal: full.queued,
      fillSeconds: (full.at - killAt) / 1000,
      refused: sent.refused,
      otherErrors: sent.otherErrors.length,
      request,
      memory: { base, atFull, samples },
      heapFillMiB: heapFill,
      perMessageBytes: (heapFill * 1024 * 1024) / size.maxQueued,
      refuseHeapGrowthMiB: maxHeapLater - heap(atFull),
      maxRssRefusing: maxLater,
    };
    log(
      `  full buffer: first CONGESTED after ${r.fillSeconds.toFixed(1)} s with ${r.queuedAtRefusal} queued; ` +
        `${r.refused} sends refused; request: ${request.code} in ${request.ms.toFixed(1)} ms; ` +
        `RSS ${base.rss.toFixed(1)} → ${atFull.rss.toFixed(1)} → max ${maxLater.toFixed(1)} MiB while refusing ` +
        `(heap+external +${heapFill.toFixed(1)} MiB for the full buffer); after restart: ` +
        `buffered ${r.buffered}, resent ${r.resent}, duplicates ${r.duplicates}, lost in flight ${r.lostInFlight}, ` +
        `lost ${r.lostBuffered} ${JSON.stringify(r.lostHeldMs)}, longest stall ${r.stallMs.toFixed(0)} ms, flush ${r.flushMs.toFixed(0)} ms`,
    );
    return r;
  } finally {
    await Promise.all([t.publisher.stop(), t.observer.stop(), t.hub.stop()]);
  }
}

/**
 * Wait for the observer to stop receiving, then sort every message the publisher accepted:
 * buffered (the link held it while it had no connection), else delivered, or lost in flight
 * (written to the connection before the publisher noticed it was dead, or held by the hub when
 * it died), or lost after the reconnection (the publisher had no route for it: `unhandled`).
 */
async function collect(observer, sent, killAt, reconnectAt) {
  const total = sent.sendAt.length;
  let last = -1;
  let quiet = 0;
  // Until everything arrived, or nothing more for 6 s (what is missing then is lost; the hub
  // may hold messages up to 5 s while routes settle after a restart).
  await waitFor(
    async () => {
      const n = await observer.call('count');
      quiet = n === last ? quiet + 1 : 0;
      last = n;
      return n >= total || quiet >= 60;
    },
    { timeout: 60_000, every: 100, what: 'the observer to settle' },
  );
  const { seqs, at } = await observer.call('report');
  const got = new Map();
  let inOrder = true;
  let duplicates = 0;
  // The longest pause between two arrivals after the reconnect: a stall, not a loss, if long.
  let stallMs = 0;
  for (let i = 0; i < seqs.length; i++) {
    if (got.has(seqs[i])) duplicates++;
    got.set(seqs[i], at[i]);
    if (i > 0 && seqs[i] <= seqs[i - 1]) inOrder = false;
    if (i > 0 && at[i - 1] > reconnectAt) stallMs = Math.max(stallMs, at[i] - at[i - 1]);
  }
  let buffered = 0;
  let lostInFlight = 0;
  let lostBuffered = 0;
  let lostAfter = 0;
  let flushedAt = reconnectAt;
  const inFlightMs = [];
  const lostHeldMs = [];
  for (let i = 0; i < total; i++) {
    const seq = sent.firstSeq + i;
    const t = sent.sendAt[i];
    const arrived = got.get(seq);
    if (sent.held[i]) {
      buffered++;
      if (arrived === undefined) {
        lostBuffered++;
        if (lostHeldMs.length < 10) lostHeldMs.push(Math.round(t - killAt));
      } else flushedAt = Math.max(flushedAt, arrived);
    } else if (arrived !== undefined) continue;
    else if (t < reconnectAt) {
      // Written to the connection before the publisher knew it was dead, or in the hub.
      lostInFlight++;
      inFlightMs.push(t - killAt);
    } else lostAfter++;
  }
  return {
    sent: total,
    received: seqs.length,
    duplicates,
    inOrder,
    stallMs,
    buffered,
    lostInFlight,
    inFlightWindow: inFlightMs.length ? [Math.min(...inFlightMs), Math.max(...inFlightMs)] : [],
    lostBuffered,
    lostHeldMs,
    lostAfter,
    flushMs: buffered > lostBuffered ? flushedAt - reconnectAt : 0,
  };
}
