import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactMap, CompactSet } from '../../src/exchange/compact.js';

/** Operations on a small key space, so sets, deletes and re-adds of the same keys are common. */
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k');
const op = fc.oneof(
  fc.tuple(fc.constant('set' as const), key, fc.integer({ min: 0, max: 20 })),
  fc.tuple(fc.constant('delete' as const), key, fc.constant(0)),
  fc.tuple(fc.constant('clear' as const), key, fc.constant(0)),
);

describe('CompactMap', () => {
  it('answers as a Map does, in the same order, after any sequence of changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const map = new Map<string, number>();
        const compact = new CompactMap<string, number>();
        for (const [kind, k, v] of ops) {
          if (kind === 'set') {
            expect(compact.set(k, v)).toBe(compact);
            map.set(k, v);
          } else if (kind === 'delete') expect(compact.delete(k)).toBe(map.delete(k));
          else {
            compact.clear();
            map.clear();
          }
          expect(compact.size).toBe(map.size);
          expect([...compact]).toEqual([...map]);
          expect([...compact.keys()]).toEqual([...map.keys()]);
          for (const probe of ['a', 'b', 'z']) {
            expect(compact.get(probe)).toBe(map.get(probe));
            expect(compact.has(probe)).toBe(map.has(probe));
          }
        }
      }),
    );
  });

  it('works with Object.fromEntries and spreading, as the route table’s callers use it', () => {
    const one = new CompactMap<string, number>().set('hub', 1);
    expect(Object.fromEntries(one)).toEqual({ hub: 1 });
    const two = new CompactMap<string, number>().set('hub', 1).set('relay', 2);
    expect(Object.fromEntries(two)).toEqual({ hub: 1, relay: 2 });
    expect([...new CompactMap<string, number>()]).toEqual([]);
  });
});

describe('CompactSet', () => {
  it('answers as a Set does, in the same order, one value, a few or many', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const set = new Set<string>();
        const compact = new CompactSet<string>();
        for (const [kind, k] of ops) {
          if (kind === 'set') {
            expect(compact.add(k)).toBe(compact);
            set.add(k);
          } else expect(compact.delete(k)).toBe(set.delete(k));
          expect(compact.size).toBe(set.size);
          expect([...compact]).toEqual([...set]);
          expect([...compact.values()]).toEqual([...set.values()]);
          for (const probe of ['a', 'k', 'z']) expect(compact.has(probe)).toBe(set.has(probe));
        }
      }),
    );
  });
});
