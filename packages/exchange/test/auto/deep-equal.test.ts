/**
 * Focused tests: the `deep_equal` algorithm (auto-spec.md section 14). The reference does not
 * export it, so it is observed through change detection: a computed passes a static through, and
 * its subscription fires only when the new value is not deep-equal to the old one. Our export
 * `deepEqual` is also tested directly.
 */
import { describe, expect, it } from 'vitest';
import { auto, deepEqual } from '../../src/auto/index.js';
import { eachTarget } from './harness.js';

const cyclic = (n: number) => {
  const o: any = { n };
  o.self = o;
  return o;
};

/** [description, old value, new value, deep-equal?] */
const CASES: [string, unknown, unknown, boolean][] = [
  ['same contents, new array', [1, [2, 3]], [1, [2, 3]], true],
  [
    'same contents, new object, other key order',
    { a: 1, b: { c: 2 } },
    { b: { c: 2 }, a: 1 },
    true,
  ],
  ['different nested value', { a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }, false],
  ['different length', [1, 2], [1, 2, 3], false],
  ['different key count', { a: 1 }, { a: 1, b: undefined }, false],
  ['same key count, other keys', { a: undefined }, { b: undefined }, false],
  ['array vs object with the same keys', [1, 2], { 0: 1, 1: 2 }, false],
  ['object vs array', { length: 0 }, [], false],
  ['null vs object', null, {}, false],
  ['two Dates always equal', new Date(0), new Date(5000), true],
  ['two Maps always equal', new Map([[1, 2]]), new Map(), true],
  ['self-references with equal shape', cyclic(1), cyclic(1), true],
  ['self-references with different contents', cyclic(1), cyclic(2), false],
  ['1 vs "1" inside', [1], ['1'], false],
];

eachTarget('deep_equal through change detection', auto, ({ auto }) => {
  it.each(CASES)('%s', (_label, before, after, equal) => {
    const $ = auto({ src: before, out: (_: any) => _.src }, { auto_batch: false });
    let fired = 0;
    $['#'].out.subscribe(() => fired++);
    $.src = after;
    expect(fired - 1).toBe(equal ? 0 : 1);
    expect($._.value.out).toBe(after);
    expect($._.fatal).toEqual({});
  });

  it('compares a shared sub-object against a different partner correctly', () => {
    // a-side object met twice must map to the same b-side object
    const shared = { v: 1 };
    const before = { x: shared, y: shared };
    const after = { x: { v: 1 }, y: { v: 1 } };
    const $ = auto({ src: before, out: (_: any) => _.src }, { auto_batch: false });
    let fired = 0;
    $['#'].out.subscribe(() => fired++);
    $.src = after;
    expect(fired).toBe(2);
  });
});

describe('deepEqual export (exchange)', () => {
  it.each(CASES)('%s', (_label, a, b, equal) => {
    expect(deepEqual(a, b)).toBe(equal);
  });

  it('treats identical values and primitives by ===', () => {
    const o = {};
    expect(deepEqual(o, o)).toBe(true);
    expect(deepEqual(1, 1)).toBe(true);
    expect(deepEqual(NaN, NaN)).toBe(false);
    expect(deepEqual(undefined, null)).toBe(false);
    expect(deepEqual('a', 'b')).toBe(false);
  });

  it('maps a revisited object to its first partner', () => {
    const shared = { v: 1 };
    expect(deepEqual({ x: shared, y: shared }, { x: { v: 1 }, y: { v: 1 } })).toBe(false);
    const other = { v: 1 };
    expect(deepEqual({ x: shared, y: shared }, { x: other, y: other })).toBe(true);
  });
});
