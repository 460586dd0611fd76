// Scenario 2, idle clients: many WebSocket clients, each observing one name, split over two
// client processes, connected to one hub process. The hub's memory with all of them, how long
// they take to connect, and whether the hub's memory comes back once they have gone (compared
// after a forced GC in the hub: see gc-preload.mjs).
import { fdLimit, figure, sleep, startHub, startRole, waitFor } from './lib.mjs';

export const title = 'idle WebSocket clients (two client processes, one hub)';

export const sizes = {
  ci: { clients: 500, limitMs: 90_000 },
  soak: { clients: 10_000, limitMs: 180_000 },
};

/** Limits that stop the run before it takes the shared machine down with it. */
const HUB_RSS_ABORT_MIB = 3072;
const CLIENT_RSS_CAP_MIB = 4096;
/**
 * Heap growth in the hub that counts as "back to its baseline" after the clients left, in MiB:
 * what stays for good after the first burst of connections (compiled code, the `ws` server's and
 * the route cache's grown tables), measured as 1-3 MiB at 500 and 1,000 clients.
 */
const HEAP_TOLERANCE_MIB = 5;

export async function run(size, log) {
  const figures = [];
  const half = Math.ceil(size.clients / 2);
  const limit = fdLimit();
  const needed = size.clients + 100;
  const fdsOk = limit >= needed;
  figures.push(
    figure(
      'open-file limit (ulimit -n)',
      limit,
      'fds',
      `>= ${needed} for ${size.clients} clients`,
      fdsOk,
    ),
  );
  if (!fdsOk) {
    log(
      `  ulimit -n is ${limit}: too low for ${size.clients} clients (the hub needs one descriptor ` +
        `per client, ~${needed} in all). Raise it (ulimit -n ${needed + 1000}) and run again.`,
    );
    return { figures };
  }
  const hub = await startHub({ gc: true });
  const clients = [];
  try {
    // One client first, so the hub's connection code is loaded and compiled before the baseline.
    const warm = await startRole('idle');
    clients.push(warm);
    await warm.call('open', { url: hub.wsUrl, count: 1, prefix: 'warm-' });
    await warm.call('closeAll');
    await waitFor(async () => (await hub.info()).peers.length === 0, {
      what: 'the warm-up client to leave',
    });
    const base = await hub.gc();
    log(
      `  hub baseline after GC: RSS ${base.rss.toFixed(1)} MiB, heap ${base.heapUsed.toFixed(1)} MiB`,
    );

    const procs = [warm, await startRole('idle')];
    clients.push(procs[1]);
    const progress = [0, 0];
    procs.forEach((p, i) => p.on('progress', (e) => (progress[i] = e.connected)));
    let clientPeak = 0;
    procs.forEach((p) => p.on('progress', (e) => (clientPeak = Math.max(clientPeak, e.rss))));
    let hubPeak = hub.rss();
    let at10s;
    let nextLog = 10_000;
    const t0 = performance.now();
    const sampler = setInterval(() => {
      hubPeak = Math.max(hubPeak, hub.rss());
      if (at10s === undefined && performance.now() - t0 >= 10_000)
        at10s = progress[0] + progress[1];
      if (hubPeak > HUB_RSS_ABORT_MIB) hub.child.kill('SIGKILL');
      const elapsed = performance.now() - t0;
      if (elapsed >= nextLog) {
        nextLog += 10_000;
        log(
          `    ${(elapsed / 1000).toFixed(0)} s: ${progress[0] + progress[1]} connected, hub RSS ${hub.rss().toFixed(0)} MiB`,
        );
      }
    }, 100);
    // Each client process reports its progress; if one does not finish within the limit (or
    // dies), its last report stands and the run goes on to the closing half.
    const last = [{}, {}];
    procs.forEach((p, i) => p.on('progress', (e) => (last[i] = e)));
    const settled = await Promise.allSettled(
      procs.map((p, i) =>
        p.call(
          'open',
          // The scenario's own limit ends a slow run; a per-connection timeout would only add
          // the connect-timeout crash (test/reliability/connect-timeout.test.ts) to it.
          {
            url: hub.wsUrl,
            count: half,
            prefix: `p${i}-`,
            rssCapMiB: CLIENT_RSS_CAP_MIB,
            connectTimeout: 3_600_000,
          },
          size.limitMs,
        ),
      ),
    ).finally(() => clearInterval(sampler));
    // Past the limit, the clients still connecting stop, so the readings below are of a hub
    // that is not still taking on more.
    await Promise.all(procs.map((p) => p.call('halt').catch(() => {})));
    const opened = settled.map((s, i) =>
      s.status === 'fulfilled'
        ? s.value
        : {
            connected: last[i].connected ?? 0,
            failed: last[i].failed ?? 0,
            stopped: `did not finish: ${s.reason.message}`,
            ms: performance.now() - t0,
            routesPerClient: NaN,
            memory: { rss: last[i].rss ?? NaN },
          },
    );
    const connected = opened.reduce((a, o) => a + o.connected, 0);
    const connectMs = Math.max(...opened.map((o) => o.ms));
    at10s ??= connected;
    const stopped = opened.map((o) => o.stopped).filter(Boolean);
    const routesPerClient =
      opened.find((o) => !Number.isNaN(o.routesPerClient))?.routesPerClient ??
      (await procs[0].call('routes', {}, 60_000).catch(() => NaN));
    const hubPeers = await peersOf(hub);
    const allRss = hub.rss();
    hubPeak = Math.max(hubPeak, allRss);
    const full = await gcOf(hub);
    log(
      `  ${connected} of ${size.clients} connected in ${(connectMs / 1000).toFixed(1)} s (${at10s} within 10 s), ` +
        `${opened.reduce((a, o) => a + o.failed, 0)} failed${opened.find((o) => o.firstError) ? ` (${opened.find((o) => o.firstError).firstError})` : ''}` +
        `${stopped.length ? `; stopped: ${stopped.join('; ')}` : ''}; the hub has ${hubPeers} peers; ` +
        `each client knows ${routesPerClient} routes; client processes RSS ` +
        `${opened.map((o) => o.memory.rss.toFixed(0)).join(' and ')} MiB`,
    );
    log(
      `  hub with all connected: RSS ${allRss.toFixed(1)} MiB (peak ${hubPeak.toFixed(1)}), after GC ` +
        `${full.rss.toFixed(1)} MiB, heap ${full.heapUsed.toFixed(1)} MiB; ` +
        `${(((full.rss - base.rss) * 1024) / Math.max(1, connected)).toFixed(1)} KiB per client`,
    );
    await Promise.all(procs.map((p) => p.call('closeAll').catch(() => 0)));
    const tClose = performance.now();
    const hubGone = () => hub.child.exitCode !== null || hub.child.signalCode !== null;
    await waitFor(async () => hubGone() || (await peersOf(hub)) === 0, {
      timeout: 180_000,
      every: 250,
      what: 'the hub to see every client leave',
    }).catch((e) => log(`  ${e.message}`));
    if (hubGone()) log(`  the hub died (${hub.child.signalCode ?? hub.child.exitCode})`);
    const closeMs = performance.now() - tClose;
    await sleep(500);
    const after = await gcOf(hub);
    log(
      `  all closed (hub saw them leave in ${closeMs.toFixed(0)} ms); hub after GC: RSS ${after.rss.toFixed(1)} MiB, ` +
        `heap ${after.heapUsed.toFixed(1)} MiB (baseline ${base.rss.toFixed(1)} / ${base.heapUsed.toFixed(1)})`,
    );
    figures.push(
      figure(
        'clients connected',
        `${connected} of ${size.clients}`,
        '',
        'all',
        connected === size.clients,
      ),
      figure(
        'time to connect them all',
        connectMs / 1000,
        's',
        '< 10',
        connected === size.clients && connectMs < 10_000,
      ),
      figure('connected within 10 s', at10s, 'clients'),
      figure('routes each client learns', routesPerClient, 'routes'),
      figure('hub RSS with all connected (peak)', hubPeak, 'MiB', '< 200', hubPeak < 200),
      figure('hub RSS with all connected, after GC', full.rss, 'MiB'),
      figure(
        'client processes RSS',
        opened.map((o) => o.memory.rss.toFixed(0)).join(' + '),
        'MiB',
        `peak ${clientPeak.toFixed(0)} MiB`,
      ),
      figure(
        'hub heap after they left, over baseline (after GC)',
        after.heapUsed - base.heapUsed,
        'MiB',
        `< ${HEAP_TOLERANCE_MIB}`,
        after.heapUsed - base.heapUsed < HEAP_TOLERANCE_MIB,
      ),
      figure(
        'hub RSS after they left, over baseline (after GC)',
        after.rss - base.rss,
        'MiB',
        `of ${(full.rss - base.rss).toFixed(0)} MiB grown`,
      ),
    );
    return {
      figures,
      base,
      full,
      after,
      connected,
      connectMs,
      at10s,
      hubPeak,
      clientPeak,
      closeMs,
      stopped,
    };
  } finally {
    await Promise.all([...clients.map((c) => c.stop()), hub.stop()]);
  }
}

/**
 * The hub's peer count; NaN if it cannot answer (an overloaded hub answers /info late or not at
 * all: the figures say so rather than the run crashing).
 */
async function peersOf(hub) {
  try {
    return (await hub.info()).peers.length;
  } catch {
    return NaN;
  }
}

/** The hub's memory after a forced GC; its RSS alone if it cannot answer. */
async function gcOf(hub) {
  try {
    return await hub.gc();
  } catch {
    return { rss: hub.rss(), heapUsed: NaN, external: NaN };
  }
}
