// The hub benchmark's run order and ratios (bench/hub/order.mjs, report.mjs): ours and the raw ws
// relay back to back in every run, and ratios taken run by run.
import { describe, expect, it } from 'vitest';

// @ts-expect-error: plain ESM without types
import { runOrder } from '../../bench/hub/order.mjs';
// @ts-expect-error: plain ESM without types
import { summarizeScenario } from '../../bench/hub/report.mjs';

interface System {
  key: string;
}
const systems: System[] = ['exchange', 'nats', 'ws', 'socketio'].map((key) => ({ key }));
const keys = (order: System[]) => order.map((s) => s.key);

describe('hub bench run order', () => {
  it('puts ours and the relay back to back, each first in turn, and rotates the rest', () => {
    const orders = [0, 1, 2, 3, 4, 5].map((run) => keys(runOrder(systems, run)));
    for (const [run, order] of orders.entries()) {
      expect([...order].sort()).toEqual(['exchange', 'nats', 'socketio', 'ws']);
      const at = order.indexOf('exchange');
      expect(order[run % 2 === 0 ? at + 1 : at - 1]).toBe('ws');
    }
    // Over four runs every system goes first once.
    expect(new Set(orders.slice(0, 4).map((o) => o[0])).size).toBe(4);
  });

  it('rotates all systems when ours or the relay is not among them', () => {
    const some = systems.filter((s) => s.key !== 'ws');
    expect(keys(runOrder(some, 0))).toEqual(['exchange', 'nats', 'socketio']);
    expect(keys(runOrder(some, 1))).toEqual(['nats', 'socketio', 'exchange']);
  });
});

describe('hub bench ratios', () => {
  const scenario = {
    id: 's3-seq',
    metrics: [{ key: 'p50', unit: 'µs', better: 'lower' }],
  };
  const runs = (...p50s: number[]) => p50s.map((p50) => ({ ok: true, metrics: { p50 } }));

  it('is the median of the per-run ratios, not the ratio of the medians', () => {
    // Run 2 met a fast stretch for the relay only: ratio of medians 130/86 = 0.66, per run
    // 0.80, 0.63, 0.77.
    const byKey = new Map([
      ['exchange', runs(108, 130, 137)],
      ['ws', runs(86, 82, 106)],
    ]);
    const pair = systems.filter((s) => byKey.has(s.key));
    const report = summarizeScenario(scenario, pair, byKey);
    const ours = report.rows.find((r: { system: string }) => r.system === 'exchange');
    expect(ours.metrics.p50).toBe(130);
    expect(ours.ratios.ws).toBeCloseTo(106 / 137, 9);
    const relay = report.rows.find((r: { system: string }) => r.system === 'ws');
    expect(relay.ratios.ws).toBeUndefined();
  });

  it('falls back to the ratio of the medians when the runs do not pair up', () => {
    const byKey = new Map([
      ['exchange', runs(100, 120, 140)],
      ['ws', runs(90, 110)],
    ]);
    const report = summarizeScenario(
      scenario,
      systems.filter((s) => byKey.has(s.key)),
      byKey,
    );
    const ours = report.rows.find((r: { system: string }) => r.system === 'exchange');
    expect(ours.ratios.ws).toBeCloseTo(100 / 120, 9);
  });
});
