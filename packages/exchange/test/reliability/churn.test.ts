// Scenario 3 of docs/reliability.md at CI size: 2,000 cycles of connect → observe → send → close,
// 200 at a time, against a hub process.
import { beforeAll, describe, expect, it } from 'vitest';
import { fig, runScenario, type ScenarioResult } from './soak-run.js';

let r: ScenarioResult;

beforeAll(async () => {
  r = await runScenario('churn', 150_000);
}, 160_000);

describe('connection churn (real hub process)', () => {
  it('every cycle completes', () => {
    expect(fig(r, 'cycles completed').ok).toBe(true);
  });

  it("the hub's file descriptors are back where they started", () => {
    expect(fig(r, 'hub fds').ok).toBe(true);
  });

  it("the hub's routing table (peers and routes) is back where it started", () => {
    expect(fig(r, 'hub peers').ok).toBe(true);
    expect(fig(r, 'hub routes').ok).toBe(true);
  });

  // Was a known failure until the framed link's close() learned to send its queue before the
  // bye (docs/reliability.md, "Findings").
  it('a message sent just before close arrives', () => {
    expect(fig(r, 'messages sent just before close').ok).toBe(true);
  });
});
