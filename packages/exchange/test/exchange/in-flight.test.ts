// The table of what is in flight (src/exchange/in-flight.ts) against a Map, its model: the same
// answers and the same order after any sequence of operations, across the switch to a Map and
// back, and deletes while iterating.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/exchange/in-flight.js';

type Op =
  | { op: 'set'; id: string; value: number }
  | { op: 'delete'; id: string }
  | { op: 'clear' }
  | { op: 'sweep'; keep: number };

// Few ids, so sets and deletes hit existing entries; up to 24 at once crosses the switch (8).
const id = fc.integer({ min: 0, max: 23 }).map((n) => `a:1.0:${n.toString(36)}`);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), id, value: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('delete' as const), id }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sweep' as const), keep: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

describe('InFlight', () => {
  it('answers as a Map does after any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const table = new InFlight<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.op === 'set') {
            table.set(o.id, o.value);
            model.set(o.id, o.value);
          } else if (o.op === 'delete') {
            expect(table.delete(o.id)).toBe(model.delete(o.id));
          } else if (o.op === 'clear') {
            table.clear();
            model.clear();
          } else {
            // Delete while iterating, as the relay sweep does: every entry but each `keep`-th.
            let i = 0;
            for (const [key] of table)
              if (o.keep === 0 || i++ % (o.keep + 1) !== 0) table.delete(key);
            i = 0;
            for (const [key] of [...model])
              if (o.keep === 0 || i++ % (o.keep + 1) !== 0) model.delete(key);
          }
          expect(table.size).toBe(model.size);
          expect([...table]).toEqual([...model]);
          expect([...table.keys()]).toEqual([...model.keys()]);
          for (let n = 0; n < 24; n++) {
            const key = `a:1.0:${n.toString(36)}`;
            expect(table.get(key)).toBe(model.get(key));
            expect(table.has(key)).toBe(model.has(key));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not yield entries deleted while iterating, in either form', () => {
    for (const n of [5, 12]) {
      const table = new InFlight<number>();
      for (let i = 0; i < n; i++) table.set(`x${i}`, i);
      const seen: string[] = [];
      for (const [key] of table) {
        seen.push(key);
        if (key === 'x0') for (let i = 1; i < n; i++) table.delete(`x${i}`);
      }
      expect(seen, `${n} entries`).toEqual(['x0']);
      expect([...table.keys()]).toEqual(['x0']);
    }
  });

  it('keeps order past 8 entries and goes back to its arrays once empty', () => {
    const table = new InFlight<number>();
    for (let i = 0; i < 12; i++) table.set(`x${i}`, i);
    expect([...table.keys()]).toEqual(Array.from({ length: 12 }, (_, i) => `x${i}`));
    for (let i = 0; i < 12; i++) table.delete(`x${i}`);
    expect(table.size).toBe(0);
    table.set('y', 1).set('z', 2);
    expect([...table]).toEqual([
      ['y', 1],
      ['z', 2],
    ]);
    expect(table.delete('nope')).toBe(false);
  });
});
