// Scenario 2 of docs/reliability.md at CI size: 500 idle WebSocket clients, each observing one
// name, in two client processes, on one hub process run with --expose-gc.
import { beforeAll, describe, expect, it } from 'vitest';
import { CI_SLACK, fig, runScenario, type ScenarioResult } from './soak-run.js';

let r: ScenarioResult;

beforeAll(async () => {
  r = await runScenario('idle', 150_000);
}, 160_000);

describe('idle clients (real hub process)', () => {
  it('the open-file limit is enough for the run', () => {
    expect(fig(r, 'open-file limit').ok).toBe(true);
  });

  it('all connect', () => {
    expect(fig(r, 'clients connected').ok).toBe(true);
  });

  it('the hub stays under 200 MiB RSS', () => {
    expect(fig(r, 'hub RSS with all connected (peak)').ok).toBe(true);
  });

  it("after they close, the hub's heap is back at its baseline (after a forced GC)", () => {
    expect(fig(r, 'hub heap after they left').ok).toBe(true);
  });

  it('all connect within 10 s (held to 5x in CI)', () => {
    expect(Number(fig(r, 'time to connect them all').value)).toBeLessThan(10 * CI_SLACK);
  });

  // Was a known failure (docs/reliability.md, finding 3): the hub advertised every client's
  // exchange id and observed name to every other client, so each of n clients learned ~2n routes
  // and connecting n clients cost O(n²) adverts. Clients are leaves now: the hub tells them none
  // of the other leaves' routes, so each knows its own id, its own name and the hub's id.
  it('an idle client learns no routes of the other idle clients (a constant, 3)', () => {
    expect(Number(fig(r, 'routes each client learns').value)).toBeLessThanOrEqual(3);
  });
});
