// Scenario 2 of docs/reliability.md at CI size: 500 idle WebSocket clients, each observing one
// name, in two client processes, on one hub process run with --expose-gc.
import { beforeAll, describe, expect, it } from 'vitest';
import { fig, runScenario, type ScenarioResult } from './soak-run.js';

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

  // Known failure (docs/reliability.md, "Findings"): the hub advertises every client's exchange
  // id and observed name to every other client, so each of n clients learns ~2n routes and
  // connecting n clients costs O(n²) adverts: the reason 10,000 cannot connect within 10 s.
  it.fails(
    'an idle client learns no routes of the other idle clients (fails: ~2 per client)',
    () => {
      expect(Number(fig(r, 'routes each client learns').value)).toBeLessThan(50);
    },
  );
});
