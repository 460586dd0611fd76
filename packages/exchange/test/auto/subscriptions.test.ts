/**
 * Conformance: subscriptions, their tags, and when they fire (auto-spec.md sections 8, 9.2, 10;
 * catalogue 015–017, 019–021, 028, 029, 044, 050).
 */
import { expect, it } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, eachTarget, flattenSubs, type Fixture } from './harness.js';

const noop = () => {};

const fixtures: Fixture[] = [
  {
    id: '015_subscribe',
    make: () => ({
      obj: { data: null },
      fn: ($) => {
        $['#'].data.subscribe(noop);
      },
      _: { fn: [], subs: { data: ['000'] }, deps: {}, value: { data: null }, fatal: {} },
    }),
  },
  {
    id: '016_unsubscribe',
    make: () => ({
      obj: { data: null },
      fn: ($) => {
        const unsub = $['#'].data.subscribe(noop);
        unsub();
      },
      // the name's entry stays, empty
      _: { fn: [], subs: { data: [] }, deps: {}, value: { data: null }, fatal: {} },
    }),
  },
  {
    id: '017_unsubscribe_gaps',
    make: () => ({
      obj: { data: null },
      fn: ($) => {
        $['#'].data.subscribe(noop);
        const two = $['#'].data.subscribe(noop);
        $['#'].data.subscribe(noop);
        two();
        $['#'].data.subscribe(noop); // reuses the gap '001', inserted last
      },
      _: {
        fn: [],
        subs: { data: ['000', '002', '001'] },
        deps: {},
        value: { data: null },
        fatal: {},
      },
    }),
  },
  {
    id: '019_check_subscribe_effects',
    make: () => ({
      obj: { data: null, count: ($: any) => ($.data ? $.data.length : 0) },
      fn: ($, global) => {
        $['#'].count.subscribe((v: number) => (global.msg = 'count is ' + v));
        $.data = [1, 2, 3];
      },
      _: {
        fn: ['count'],
        subs: { count: ['000'] },
        deps: { count: { data: true } },
        value: { data: [1, 2, 3], count: 3 },
        fatal: {},
      },
      global: { msg: 'count is 3' },
    }),
  },
  {
    id: '020_check_only_subs_update',
    make: () => ({
      obj: {
        data: null,
        count: ($: any) => ($.data ? $.data.length : 0),
        is_data_set: ($: any) => $.data == null,
      },
      fn: ($, global) => {
        $['#'].count.subscribe((v: number) => (global.msg = 'count is ' + v));
        $.data = [1, 2, 3];
      },
      _: {
        fn: ['count', 'is_data_set'],
        subs: { count: ['000'] },
        deps: { count: { data: true }, is_data_set: { data: true } },
        value: { data: [1, 2, 3], count: 3, is_data_set: false },
        fatal: {},
      },
      global: { msg: 'count is 3' },
    }),
  },
  {
    id: '021_check_subs_on_dependency_chain',
    make: () => ({
      obj: {
        data: null,
        count: ($: any) => ($.data ? $.data.length : 0),
        twice_count: ($: any) => 2 * $.count,
      },
      fn: ($, global) => {
        $['#'].twice_count.subscribe((v: number) => (global.msg = 'twice_count is ' + v));
        $.data = [1, 2, 3];
      },
      _: {
        fn: ['count', 'twice_count'],
        subs: { twice_count: ['000'] },
        deps: { count: { data: true }, twice_count: { count: true } },
        value: { data: [1, 2, 3], count: 3, twice_count: 6 },
        fatal: {},
      },
      global: { msg: 'twice_count is 6' },
    }),
  },
  {
    id: '028_subscribe_not_function_side_effects',
    make: () => ({
      obj: { data: null },
      fn: ($, global) => {
        $['#'].data.subscribe((v: unknown) => (global.msg = 'data is ' + String(v)));
        $.data = [1, 2, 3];
      },
      _: { fn: [], subs: { data: ['000'] }, deps: {}, value: { data: [1, 2, 3] }, fatal: {} },
      global: { msg: 'data is 1,2,3' },
    }),
  },
  {
    id: '029_sub_must_update',
    make: () => ({
      obj: { data: null, derived: (_: any) => (_.data ? _.data.length : 0) },
      fn: ($, global) => {
        $.data = [1, 2, 3];
        // the immediate call sees the stale 0 (no flush); the runner's flush delivers 3
        $['#'].derived.subscribe((v: number) => (global.msg = 'derived is ' + v));
      },
      _: {
        fn: ['derived'],
        subs: { derived: ['000'] },
        deps: { derived: { data: true } },
        value: { data: [1, 2, 3], derived: 3 },
        fatal: {},
      },
      global: { msg: 'derived is 3' },
    }),
  },
  {
    id: '044_performance_tests',
    make: () => {
      const subCounts: Record<string, number> = {};
      const bump = (k: string) => () => (subCounts[k] = (subCounts[k] ?? 0) + 1);
      return {
        obj: {
          data: null,
          count: ($: any) => ($.data ? $.data.length : 0),
          doubled: ($: any) => $.count * 2,
          msg: ($: any) => `Count: ${$.count}, Doubled: ${$.doubled}`,
        },
        fn: ($, global) => {
          for (const k of ['data', 'count', 'doubled', 'msg']) $['#'][k].subscribe(bump(k));
          $.data = [1, 2, 3];
          // captured by reference: the check sees the counts after the runner's flush
          global.sub_counts = subCounts;
          global.update_counts = {};
        },
        opt: { count: true },
        _: {
          fn: ['count', 'doubled', 'msg'],
          subs: { data: ['000'], count: ['000'], doubled: ['000'], msg: ['000'] },
          deps: {
            count: { data: true },
            doubled: { count: true },
            msg: { count: true, doubled: true },
          },
          value: { data: [1, 2, 3], count: 3, doubled: 6, msg: 'Count: 3, Doubled: 6' },
          fatal: {},
        },
        // the immediate call plus exactly one transaction each
        global: { sub_counts: { data: 2, count: 2, doubled: 2, msg: 2 }, update_counts: {} },
      };
    },
  },
  {
    id: '050_batch_efficiency',
    make: () => {
      let subCount = 0;
      let batchSubCount = 0;
      return {
        obj: { a: 0, b: 0, c: 0, result: ($: any) => $.a + $.b + $.c },
        fn: ($, global) => {
          $['#'].result.subscribe(() => (subCount += 1));
          $.a = 1;
          $.b = 2;
          $.c = 3;
          global.without_batch_subs = subCount - 1; // minus the immediate call
          $['#'].result.subscribe(() => (batchSubCount += 1));
          $.batch(() => {
            $.a = 10;
            $.b = 20;
            $.c = 30;
          });
          global.with_batch_subs = batchSubCount - 1;
          global.final_result = $.result;
        },
        opt: { auto_batch: false },
        _: {
          fn: ['result'],
          subs: { result: ['000', '001'] },
          deps: { result: { a: true, b: true, c: true } },
          value: { a: 10, b: 20, c: 30, result: 60 },
          fatal: {},
        },
        global: { without_batch_subs: 3, with_batch_subs: 1, final_result: 60 },
      };
    },
  },
];

conformance('subscriptions', fixtures, auto);

eachTarget('subscriptions, focused', auto, ({ auto }) => {
  it('reuses the lowest free tag and appends it in insertion order', () => {
    const $ = auto({ d: 1 });
    const u0 = $['#'].d.subscribe(noop);
    $['#'].d.subscribe(noop); // '001'
    u0();
    u0(); // idempotent
    expect(flattenSubs($._.subs)).toEqual({ d: ['001'] });
    $['#'].d.subscribe(noop); // '000' again, now last
    $['#'].d.subscribe(noop); // '002'
    expect(flattenSubs($._.subs)).toEqual({ d: ['001', '000', '002'] });
  });

  it('creates the name entry on the first subscribe only, per name', () => {
    const $ = auto({ a: 1, b: 2 });
    expect($._.subs).toEqual({});
    $['#'].b.subscribe(noop);
    expect(flattenSubs($._.subs)).toEqual({ b: ['000'] });
  });

  it('calls immediately with the raw current value, without flushing', () => {
    const $ = auto({ a: 1, f: (_: any) => _.a * 10 });
    $.a = 2;
    const seen: number[] = [];
    $['#'].a.subscribe((v: number) => seen.push(v)); // statics are stored at once
    $['#'].f.subscribe((v: number) => seen.push(v)); // the computed is still stale
    expect(seen).toEqual([2, 10]);
    expect($._.value.f).toBe(10);
    $.flush();
    expect(seen).toEqual([2, 10, 2, 20]); // the trigger a, then f
  });

  it('fires once per transaction per changed name, never from the setter', () => {
    const $ = auto({ a: 1, f: (_: any) => _.a + 1 });
    const seen: string[] = [];
    $['#'].a.subscribe((v: number) => seen.push(`a${v}`));
    $['#'].f.subscribe((v: number) => seen.push(`f${v}`));
    $.a = 2;
    $.a = 3;
    expect(seen).toEqual(['a1', 'f2']);
    $.flush();
    // triggers first (a is a trigger twice, notified once), then computeds in sorted order
    expect(seen).toEqual(['a1', 'f2', 'a3', 'f4']);
  });

  it("fires a static trigger's subscribers even when it ends where it started", () => {
    const $ = auto({ a: 3, f: (_: any) => _.a * 2 });
    const seenA: number[] = [];
    const seenF: number[] = [];
    $['#'].a.subscribe((v: number) => seenA.push(v));
    $['#'].f.subscribe((v: number) => seenF.push(v));
    const trace = $.batch(() => {
      $.a = 4;
      $.a = 3;
    });
    expect(trace.triggers).toEqual([
      { name: 'a', value: 4 },
      { name: 'a', value: 3 },
    ]);
    expect(seenA).toEqual([3, 3]);
    expect(seenF).toEqual([6]); // the computed did not change: no notification
  });

  it('stops calling after unsubscribe', () => {
    const $ = auto({ a: 1 }, { auto_batch: false });
    const seen: number[] = [];
    const unsub = $['#'].a.subscribe((v: number) => seen.push(v));
    $.a = 2;
    unsub();
    $.a = 3;
    expect(seen).toEqual([1, 2]);
  });
});
