/**
 * Focused tests: the external setter's change rules, the defaults the catalogue cannot see, and
 * `#.set` on a computed (auto-spec.md sections 7.2, 8, 9.2, 14, 17).
 */
import { expect, it, vi } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { eachTarget } from './harness.js';

const SYNC = { auto_batch: false };

/** A static `a`, a computed reading it, and every transaction's trace. */
function traced(auto: (o: any, p?: any) => any, a: unknown, opt: Record<string, unknown> = SYNC) {
  const traces: any[] = [];
  const $ = auto({ a, f: (_: any) => _.a }, { ...opt, trace: (t: any) => traces.push(t) });
  return { $, traces };
}

eachTarget('writes', auto, ({ auto }) => {
  it.each([
    [0, false],
    [null, undefined],
    [0, ''],
    [false, 0],
    [undefined, null],
  ])('drops falsy → falsy writes (%o → %o): no transaction', (from, to) => {
    const { $, traces } = traced(auto, from);
    $.a = to;
    expect(traces).toHaveLength(0);
    expect($._.value.a).toBe(from); // not even stored
  });

  it.each([[1], ['x'], [true]])('drops same-primitive writes (%o)', (v) => {
    const { $, traces } = traced(auto, v);
    $.a = v;
    expect(traces).toHaveLength(0);
  });

  it('drops dropped writes entirely under auto-batching: no timer, no transaction', () => {
    vi.useFakeTimers();
    try {
      const { $, traces } = traced(auto, 1, {});
      $.a = 1;
      $.a = 1;
      expect(vi.getTimerCount()).toBe(0);
      $.flush();
      expect(traces).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('always propagates objects, even the same reference', () => {
    const arr = [1];
    const { $, traces } = traced(auto, arr);
    $.a = arr;
    $.a = arr;
    expect(traces).toHaveLength(2);
    expect(traces[1].triggers).toEqual([{ name: 'a', value: arr }]);
  });

  it('lets 1 → "1" through (not ===)', () => {
    const { $, traces } = traced(auto, 1);
    $.a = '1';
    expect(traces).toHaveLength(1);
    expect($.f).toBe('1');
  });

  it('handles NaN: falsy, so NaN → NaN is dropped; 1 → NaN goes through', () => {
    // Spec 7.2 notes "NaN → NaN is not ===, so it goes through", but the falsy → falsy rule
    // (step 3) comes first and NaN is falsy: the reference drops it. The reference wins.
    const { $, traces } = traced(auto, NaN);
    $.a = NaN;
    expect(traces).toHaveLength(0);
    $.a = 1;
    $.a = NaN;
    expect(traces).toHaveLength(2);
    expect($._.value.f).toBeNaN();
  });

  it('notifies a computed that returns NaN on every transaction (NaN !== NaN)', () => {
    const $ = auto({ a: 1, n: (_: any) => _.a * NaN }, SYNC);
    const seen: number[] = [];
    $['#'].n.subscribe((v: number) => seen.push(v));
    $.a = 2;
    $.a = 3;
    expect(seen).toHaveLength(3);
  });

  it('stores a static at once, while its propagation is still pending', () => {
    const { $, traces } = traced(auto, 1, {});
    $.a = 2;
    expect($._.value.a).toBe(2);
    expect($._.value.f).toBe(1); // `$._.value` does not flush
    expect(traces).toHaveLength(0);
    expect($.a).toBe(2); // this read flushes
    expect(traces).toHaveLength(1);
    expect($._.value.f).toBe(2);
  });

  it('auto-batches by default (auto_batch defaults to true)', () => {
    const { $, traces } = traced(auto, 1, {});
    $.a = 2;
    $.a = 3;
    expect(traces).toHaveLength(0);
    $.flush();
    expect(traces).toHaveLength(1);
    expect(traces[0].triggers.map((t: any) => t.value)).toEqual([2, 3]);
  });

  it('compares objects with deep_equal by default', () => {
    const $ = auto({ user: { n: 1 }, copy: (_: any) => ({ ..._.user }) }, SYNC);
    const seen: unknown[] = [];
    $['#'].copy.subscribe((v: unknown) => seen.push(v));
    $.user = { n: 1 };
    expect(seen).toHaveLength(1); // deep-equal: no notification
    $.user = { n: 2 };
    expect(seen).toHaveLength(2);
  });

  it('notifies every new object with deep_equal: false', () => {
    const $ = auto(
      { user: { n: 1 }, copy: (_: any) => ({ ..._.user }) },
      { ...SYNC, deep_equal: false },
    );
    const seen: unknown[] = [];
    $['#'].copy.subscribe((v: unknown) => seen.push(v));
    $.user = { n: 1 };
    expect(seen).toHaveLength(2);
  });

  it('accepts `#.set` on a computed: overwrites it and propagates with it as the trigger', () => {
    const traces: any[] = [];
    const $ = auto(
      { a: 1, b: (_: any) => _.a * 2, c: (_: any) => _.b + 1 },
      { ...SYNC, trace: (t: any) => traces.push(t) },
    );
    $['#'].b.set(10);
    expect($._.value).toEqual({ a: 1, b: 10, c: 11 });
    expect(traces).toHaveLength(1);
    expect(traces[0].triggers).toEqual([{ name: 'b', value: 10 }]);
    expect(traces[0].updates).toEqual({ b: 10, c: 11 }); // a computed trigger is in updates
    expect($._.fatal).toEqual({});
  });

  it('reads and writes through the `#` handle like the accessors', () => {
    const $ = auto({ a: 1, f: (_: any) => _.a + 1 });
    $['#'].a.set(5);
    expect($['#'].f.get()).toBe(6); // the read flushes
    expect($['#'].a.get()).toBe(5);
  });

  it('tracks conditional dependencies per evaluation (022 after the first branch opens)', () => {
    let runs = 0;
    const $ = auto(
      {
        d1: null,
        d2: null,
        f: (_: any) => (runs++, _.d1 ? _.d1.length : _.d2 ? _.d2.length : 0),
      },
      SYNC,
    );
    $.d1 = [1];
    expect($._.deps.f).toEqual({ d1: true });
    expect(Object.keys($._.deps.f)).toEqual(['d1']);
    const before = runs;
    $.d2 = [1, 2]; // no longer a dependency: f does not rerun
    expect(runs).toBe(before);
    expect($._.value.f).toBe(1);
  });

  it('records dependencies in first-read order', () => {
    const $ = auto({ x: 1, y: 2, z: 3, f: (_: any) => _.z + _.x + _.y + _.x });
    expect(Object.keys($._.deps.f)).toEqual(['z', 'x', 'y']);
  });
});
