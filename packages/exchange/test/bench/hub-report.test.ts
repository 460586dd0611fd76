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
    // Over four runs every system goes first once: the sequence bench/README.md gives.
    expect(orders.slice(0, 4)).toEqual([
      ['exchange', 'ws', 'nats', 'socketio'],
      ['socketio', 'ws', 'exchange', 'nats'],
      ['nats', 'socketio', 'exchange', 'ws'],
      ['ws', 'exchange', 'socketio', 'nats'],
    ]);
  });

  it('rotates all systems when ours or the relay is not among them', () => {
    const some = systems.filter((s) => s.key !== 'ws');
    expect(keys(runOrder(some, 0))).toEqual(['exchange', 'nats', 'socketio']);
    expect(keys(runOrder(some, 1))).toEqual(['nats', 'socketio', 'exchange']);
  });
});

describe('hub bench ratios', () => {
  const latency = { key: 'p50', unit: 'µs', better: 'lower' };
  const memory = { key: 'kib', unit: 'KiB/conn', better: 'lower' };
  const runs = (key: string, ...values: number[]) =>
    values.map((v) => ({ ok: true, metrics: { [key]: v } }));
  type Row = { system: string; metrics: Record<string, number>; ratios: Record<string, number> };

  /** The rows of a scenario measured with `byKey`'s runs, by system. */
  function summarize(metric: object, byKey: Map<string, unknown[]>): Record<string, Row> {
    const measured = systems.filter((s) => byKey.has(s.key));
    const report = summarizeScenario({ id: 'x', metrics: [metric] }, measured, byKey);
    return Object.fromEntries(report.rows.map((r: Row) => [r.system, r]));
  }

  it('is the median of the per-run ratios, not the ratio of the medians', () => {
    // The middle run met a fast stretch for the relay only: the medians give 86/130 (1.51x
    // slower), the runs 86/108, 82/130 and 106/137 (1.26x, 1.59x and 1.29x slower).
    const rows = summarize(
      latency,
      new Map([
        ['exchange', runs('p50', 137, 130, 108)],
        ['ws', runs('p50', 106, 82, 86)],
      ]),
    );
    expect(rows.exchange.metrics.p50).toBe(130);
    expect(rows.ws.metrics.p50).toBe(86);
    expect(rows.exchange.ratios.ws).toBeCloseTo(106 / 137, 9);
    expect(rows.ws.ratios.exchange).toBeUndefined(); // ours is not a reference
    expect(rows.ws.ratios.ws).toBeUndefined();
  });

  it('of an even count, is the geometric mean of the middle two: one way inverts the other', () => {
    const rows = summarize(
      latency,
      new Map([
        ['nats', runs('p50', 100, 100, 200, 100)],
        ['ws', runs('p50', 100, 400, 100, 300)],
      ]),
    );
    // Per run, nats is 1, 4, 0.5 and 3 times as fast: the middle two are 1 and 3.
    expect(rows.nats.ratios.ws).toBeCloseTo(Math.sqrt(3), 9);
    expect(rows.nats.ratios.ws * rows.ws.ratios.nats).toBeCloseTo(1, 9);
  });

  it('for memory, says how many times as much, run by run', () => {
    const rows = summarize(
      memory,
      new Map([
        ['exchange', runs('kib', 12, 30, 14)],
        ['ws', runs('kib', 15, 15, 20)],
      ]),
    );
    // Per run 0.8, 2 and 0.7: the median is 0.8 (the medians, 14/15, would say 0.93).
    expect(rows.exchange.ratios.ws).toBeCloseTo(0.8, 9);
  });

  it('falls back to the ratio of the medians when the runs do not pair up', () => {
    const uneven = summarize(
      latency,
      new Map([
        ['exchange', runs('p50', 100, 120, 140)],
        ['ws', runs('p50', 90, 110)],
      ]),
    );
    expect(uneven.exchange.ratios.ws).toBeCloseTo(100 / 120, 9);
    // A run with no ratio (a figure of 0): the medians still give one.
    const zero = summarize(
      memory,
      new Map([
        ['exchange', runs('kib', 12, 30, 14)],
        ['ws', runs('kib', 0, 15, 20)],
      ]),
    );
    expect(zero.exchange.ratios.ws).toBeCloseTo(14 / 15, 9);
  });
});
