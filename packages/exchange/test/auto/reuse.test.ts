/**
 * The engine reuses its transaction lists between transactions (a plain write allocates none);
 * these pin that the reuse is invisible: lazily built traces, nested transactions started by a
 * subscriber, and writes made while a transaction runs.
 */
import { describe, expect, it } from 'vitest';
import { auto, lastTrace, subscribe } from '../../src/auto/index.js';

const direct = { auto_batch: false, max_calls_per_second: 0 } as const;

describe('reused transaction lists', () => {
  it('a trace built after the fact shows its own write, not an earlier one', () => {
    const $ = auto({ a: 0, b: (_: { a: number }) => _.a * 2 }, direct);
    $.a = 1;
    $.a = 2;
    const trace = lastTrace($)!;
    expect(trace.triggers).toEqual([{ name: 'a', value: 2 }]);
    expect(trace.updates).toEqual({ b: 4 });
    $.a = 3;
    expect(lastTrace($)!.triggers).toEqual([{ name: 'a', value: 3 }]);
    expect(trace.triggers).toEqual([{ name: 'a', value: 2 }]); // an earlier trace keeps its own
    expect(trace.updates).toEqual({ b: 4 });
  });

  it('a subscriber that writes (a nested transaction) does not disturb the outer notifications', () => {
    const $ = auto(
      {
        a: 0,
        x: 0,
        b: (_: { a: number }) => _.a + 1,
        c: (_: { a: number }) => _.a + 2,
        y: (_: { x: number }) => _.x * 10,
      },
      direct,
    );
    const seen: string[] = [];
    subscribe($, 'b', (v) => {
      seen.push(`b=${String(v)}`);
      if (v === 2) $.x = 5;
    });
    subscribe($, 'c', (v) => seen.push(`c=${String(v)}`));
    subscribe($, 'y', (v) => seen.push(`y=${String(v)}`));
    $.a = 1;
    expect(seen).toEqual(['b=1', 'c=2', 'y=0', 'b=2', 'y=50', 'c=3']);
    expect(lastTrace($)!.updates).toEqual({ y: 50 }); // the nested transaction finished last
    $.a = 2;
    expect(seen.slice(6)).toEqual(['b=3', 'c=4']);
    expect(lastTrace($)!.triggers).toEqual([{ name: 'a', value: 2 }]);
  });

  it('a computed that sets its own value later starts a transaction of its own', () => {
    let later: ((v: unknown) => void) | undefined;
    const $ = auto(
      {
        a: 1,
        slow: (_: { a: number }, set: (v: unknown) => void) => {
          later = set;
          return _.a;
        },
        twice: (_: { slow: number }) => _.slow * 2,
      },
      direct,
    );
    later!(7);
    expect($.twice).toBe(14);
    expect(lastTrace($)!.triggers).toEqual([{ name: 'slow', value: 7 }]);
    $.a = 3;
    expect($.twice).toBe(6);
    expect(lastTrace($)!.updates).toEqual({ slow: 3, twice: 6 });
  });

  it('a computed reached before one it reads is still evaluated after it', () => {
    const runs: string[] = [];
    // x reads s, then y: s's dependents are [x, y], so a depth-first visit meets x first.
    const $ = auto(
      {
        s: 1,
        x: (_: { s: number; y: number }) => (runs.push('x'), _.s + _.y),
        y: (_: { s: number }) => (runs.push('y'), _.s * 10),
        z: (_: { x: number }) => (runs.push('z'), _.x + 1),
      },
      direct,
    );
    runs.length = 0;
    $.s = 2;
    expect(runs).toEqual(['y', 'x', 'z']);
    expect($.z).toBe(23);
  });
});
