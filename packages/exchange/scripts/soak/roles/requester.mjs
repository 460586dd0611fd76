// Request semantics over one transport: a requester linked to a hub that relays to a responder.
// NoRouteError (here, and answered by the hub), timeouts against their deadline, and aborted
// requests that must leave nothing pending here or tracked in the hub.
import { fileURLToPath } from 'node:url';
import { exchange } from '../library.mjs';
import { hubWithResponder } from '../network.mjs';

const IPC_ROUTER = fileURLToPath(new URL('../ipc-router.mjs', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Link a new requester to the hub over `transport`. */
async function link(transport, target) {
  const ex = exchange({ id: `req-${transport}` });
  switch (transport) {
    case 'local': {
      const { hub } = await hubWithResponder();
      await ex.connect({ transport: 'local', exchange: hub });
      break;
    }
    case 'ipc':
      await ex.connect({ transport: 'ipc', script: IPC_ROUTER, execArgv: [] });
      break;
    case 'websocket':
      await ex.connect({ transport: 'websocket', url: target.wsUrl });
      break;
    case 'tcp':
      await ex.connect({ transport: 'tcp', host: '127.0.0.1', port: target.tcpPort });
      break;
    case 'http':
      await ex.connect({ transport: 'http', url: target.httpUrl });
      break;
    default:
      throw new Error(`unknown transport ${transport}`);
  }
  await ex.reachable('rel.slow', { timeout: 10_000 });
  return ex;
}

/**
 * Milliseconds from calling `request` until its promise settles, and the error code it failed
 * with ('OK' if none). The clock starts before the call: a deadline counts from the call, and
 * starting after it returned would read a timeout as early by however long the call took.
 */
async function timed(request) {
  const t0 = performance.now();
  try {
    await request();
    return { ms: performance.now() - t0, code: 'OK' };
  } catch (e) {
    return { ms: performance.now() - t0, code: e.code ?? String(e) };
  }
}

const hubInfo = (ex) => ex.request('$exchange.info', undefined, { to: 'hub', timeout: 10_000 });

export const commands = {
  async measure({ transport, target, noRoute, timeouts, aborted, wave = 500 }) {
    const ex = await link(transport, target);
    try {
      // Warm up the path (codecs, JIT) so the first timings are not start-up costs.
      for (let i = 0; i < 50; i++) await ex.request('rel.echo', i);
      const local = [];
      for (let i = 0; i < noRoute; i++) local.push(await timed(() => ex.request('rel.nobody', i)));
      const remote = [];
      for (let i = 0; i < noRoute; i++)
        remote.push(await timed(() => ex.request('rel.nobody', i, { to: 'hub', timeout: 5000 })));

      // Aborted requests: to a handler that answers after 500 ms, each aborted well before that.
      const t0 = performance.now();
      const codes = {};
      for (let done = 0; done < aborted; done += wave) {
        const n = Math.min(wave, aborted - done);
        const controllers = Array.from({ length: n }, () => new AbortController());
        const settled = controllers.map((c, i) =>
          timed(() => ex.request('rel.slow', i, { signal: c.signal, timeout: 10_000 })),
        );
        await sleep(1);
        for (const c of controllers) c.abort();
        for (const r of await Promise.all(settled)) codes[r.code] = (codes[r.code] ?? 0) + 1;
      }
      const abortMs = performance.now() - t0;
      const pendingAfterAbort = ex.describe().counters.pending;
      // The hub tracks each relayed request until its reply passes back: the late replies clear
      // them once they come (500 ms after each).
      let forwardedAfterAbort;
      for (let i = 0; i < 100; i++) {
        forwardedAfterAbort = (await hubInfo(ex)).counters.forwarded;
        if (forwardedAfterAbort === 0) break;
        await sleep(50);
      }

      // Timeouts: to a handler that never answers, each measured against its deadline.
      const lateness = [];
      const timeoutCodes = {};
      for (const ms of [50, 100, 250]) {
        const rs = await Promise.all(
          Array.from({ length: timeouts }, (_, i) =>
            timed(() => ex.request('rel.never', i, { timeout: ms })),
          ),
        );
        for (const r of rs) {
          lateness.push(r.ms - ms);
          timeoutCodes[r.code] = (timeoutCodes[r.code] ?? 0) + 1;
        }
      }
      const pendingAfterTimeouts = ex.describe().counters.pending;
      await sleep(500);
      const forwardedAfterTimeouts = (await hubInfo(ex)).counters.forwarded;
      return {
        noRouteLocal: local,
        noRouteRemote: remote,
        aborted: { count: aborted, ms: abortMs, codes, pendingAfterAbort, forwardedAfterAbort },
        timeouts: { lateness, codes: timeoutCodes, pendingAfterTimeouts, forwardedAfterTimeouts },
      };
    } finally {
      ex.close();
    }
  },
};
