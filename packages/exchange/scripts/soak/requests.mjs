// Scenario 5, request semantics over every transport (local, websocket, tcp, ipc, http): a
// requester process linked to a hub that relays to a responder. NoRouteError comes at once
// (decided here, or answered by the hub), a timeout fires on its deadline, and aborted requests
// leave nothing behind: no pending entry in the requester, no relay record in the hub.
import { figure, percentiles, startRole } from './lib.mjs';

export const title = 'request semantics over every transport';

export const TRANSPORTS = ['local', 'websocket', 'tcp', 'ipc', 'http'];

export const sizes = {
  ci: { noRoute: 100, timeouts: 10, aborted: 1000 },
  soak: { noRoute: 1000, timeouts: 50, aborted: 10_000 },
};

export async function run(size, log) {
  const router = await startRole('router');
  const figures = [];
  const byTransport = {};
  try {
    const target = await router.call('start');
    for (const transport of TRANSPORTS) {
      const requester = await startRole('requester');
      try {
        const r = await requester.call('measure', { transport, target, ...size }, 600_000);
        const local = percentiles(r.noRouteLocal.map((x) => x.ms));
        const remote = percentiles(r.noRouteRemote.map((x) => x.ms));
        const noRouteCodes = new Set([...r.noRouteLocal, ...r.noRouteRemote].map((x) => x.code));
        const late = percentiles(r.timeouts.lateness);
        const early = Math.min(...r.timeouts.lateness);
        const a = r.aborted;
        log(
          `  ${transport}: NoRoute here p50 ${local.p50.toFixed(2)} / max ${local.max.toFixed(2)} ms, from the hub p50 ` +
            `${remote.p50.toFixed(2)} / p99 ${remote.p99.toFixed(2)} / max ${remote.max.toFixed(2)} ms (${[...noRouteCodes]}); ` +
            `timeouts late by p50 ${late.p50.toFixed(1)} / p99 ${late.p99.toFixed(1)} / max ${late.max.toFixed(1)} ms ` +
            `(earliest ${early.toFixed(1)}; ${JSON.stringify(r.timeouts.codes)}); ${a.count} aborted in ${(a.ms / 1000).toFixed(1)} s ` +
            `${JSON.stringify(a.codes)}: pending ${a.pendingAfterAbort}, hub forwarded ${a.forwardedAfterAbort}; after the ` +
            `timeouts: pending ${r.timeouts.pendingAfterTimeouts}, hub forwarded ${r.timeouts.forwardedAfterTimeouts}`,
        );
        byTransport[transport] = {
          local,
          remote,
          late,
          early,
          aborted: a,
          timeouts: { ...r.timeouts, lateness: undefined },
        };
        const allNoRoute = noRouteCodes.size === 1 && noRouteCodes.has('NO_ROUTE');
        const allTimeout = Object.keys(r.timeouts.codes).join() === 'TIMEOUT';
        const allCancelled = Object.keys(a.codes).join() === 'CANCELLED';
        figures.push(
          figure(
            `${transport}: NoRouteError decided here, max`,
            local.max,
            'ms',
            '< 50',
            allNoRoute && local.max < 50,
          ),
          figure(
            `${transport}: NoRouteError from the hub, p50 / max`,
            `${remote.p50.toFixed(2)} / ${remote.max.toFixed(2)}`,
            'ms',
            '< 50',
            allNoRoute && remote.max < 50,
          ),
          figure(
            `${transport}: timeout after its deadline, p50 / max`,
            `${late.p50.toFixed(1)} / ${late.max.toFixed(1)}`,
            'ms',
            '0 to 20',
            allTimeout && early >= -1 && late.max <= 20,
          ),
          figure(
            `${transport}: ${a.count} aborted → CANCELLED`,
            a.codes.CANCELLED ?? 0,
            '',
            `${a.count}`,
            allCancelled && a.codes.CANCELLED === a.count,
          ),
          figure(
            `${transport}: pending after the aborts`,
            a.pendingAfterAbort,
            '',
            '0',
            a.pendingAfterAbort === 0,
          ),
          figure(
            `${transport}: hub forwarded after the aborts`,
            a.forwardedAfterAbort,
            '',
            '0',
            a.forwardedAfterAbort === 0,
          ),
          figure(
            `${transport}: pending after the timeouts`,
            r.timeouts.pendingAfterTimeouts,
            '',
            '0',
            r.timeouts.pendingAfterTimeouts === 0,
          ),
          figure(
            `${transport}: hub forwarded 500 ms after the timeouts (handler never answers)`,
            r.timeouts.forwardedAfterTimeouts,
            '',
            '0',
            r.timeouts.forwardedAfterTimeouts === 0,
          ),
        );
      } catch (e) {
        log(`  ${transport}: FAILED: ${e.message}`);
        figures.push(figure(`${transport}: ran`, `no: ${e.message}`, '', 'yes', false));
      } finally {
        await requester.stop();
      }
    }
  } finally {
    await router.stop();
  }
  return { figures, byTransport };
}
