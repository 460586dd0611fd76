// Scenario 4 of docs/reliability.md at CI size: a producer ten times faster than its consumer (a
// child process, then a worker thread) for 5 s, then the consumer killed with requests in flight.
// test/transports/ipc.test.ts has the mechanisms at small scale; this runs them together.
import { beforeAll, describe, expect, it } from 'vitest';
import { CI_SLACK, fig, runScenario, type ScenarioResult } from './soak-run.js';

let r: ScenarioResult;

beforeAll(async () => {
  r = await runScenario('ipc', 150_000);
}, 160_000);

describe.each(['child', 'worker'])('ipc backpressure with a %s consumer', (kind) => {
  it('every accepted message arrives, in order; the rest are refused with CONGESTED', () => {
    expect(fig(r, `${kind}: accepted messages delivered`).ok).toBe(true);
    expect(fig(r, `${kind}: other send errors`).ok).toBe(true);
    expect(fig(r, `${kind}: most frames queued`).ok).toBe(true);
  });

  it("the producer's memory is bounded", () => {
    expect(fig(r, `${kind}: producer heap after GC`).ok).toBe(true);
  });

  it('a killed consumer is noticed at once and its requests fail over', () => {
    const kill = (r.kinds as any)[kind].kill;
    expect(kill.inFlightAtVictim).toBeGreaterThan(0);
    expect(kill.noticedMs).toBeLessThan(100 * CI_SLACK);
    expect(fig(r, `${kind}: jobs answered after the kill`).ok).toBe(true);
    expect(kill.pending).toBe(0);
  });

  // Was a known failure until balancing learned to pass over congested links while another
  // handler has room (docs/reliability.md, "Findings").
  it('no request fails CONGESTED while another handler has room', () => {
    expect(fig(r, `${kind}: jobs failed CONGESTED`).ok).toBe(true);
  });
});
