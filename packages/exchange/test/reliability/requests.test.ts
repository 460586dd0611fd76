// Scenario 5 of docs/reliability.md at CI size: request semantics over every transport, a
// requester process linked to a hub that relays to a responder.
import { beforeAll, describe, expect, it } from 'vitest';
import { CI_SLACK, fig, runScenario, type ScenarioResult } from './soak-run.js';

const TRANSPORTS = ['local', 'websocket', 'tcp', 'ipc', 'http'];
let r: ScenarioResult;
const of = (t: string) => (r.byTransport as any)[t];

beforeAll(async () => {
  r = await runScenario('requests', 150_000);
}, 160_000);

describe.each(TRANSPORTS)('requests over %s', (transport) => {
  it('ran', () => {
    expect(of(transport)).toBeDefined();
  });

  it('NoRouteError comes at once, decided here or answered by the hub', () => {
    expect(fig(r, `${transport}: NoRouteError decided here`).target).toBe('< 50');
    expect(of(transport).local.max).toBeLessThan(50 * CI_SLACK);
    expect(of(transport).remote.p50).toBeLessThan(50);
    expect(of(transport).remote.max).toBeLessThan(50 * CI_SLACK);
  });

  it('a timeout fires on its deadline, not before', () => {
    const t = of(transport);
    expect(Object.keys(t.timeouts.codes)).toEqual(['TIMEOUT']);
    expect(t.early).toBeGreaterThanOrEqual(-1);
    expect(t.late.p50).toBeLessThan(20);
    expect(t.late.max).toBeLessThan(20 * CI_SLACK);
  });

  it('aborted requests are cancelled and leave nothing pending, here or in the hub', () => {
    expect(fig(r, `${transport}: 1000 aborted`).ok).toBe(true);
    expect(fig(r, `${transport}: pending after the aborts`).ok).toBe(true);
    expect(fig(r, `${transport}: hub forwarded after the aborts`).ok).toBe(true);
    expect(fig(r, `${transport}: pending after the timeouts`).ok).toBe(true);
  });

  // Was a known failure until relays swept records past their deadline on a timer (every
  // 250 ms while any wait), not only on later traffic (docs/reliability.md, "Findings").
  it('the hub forgets requests that timed out', () => {
    expect(fig(r, `${transport}: hub forwarded 500 ms after the timeouts`).ok).toBe(true);
  });
});
