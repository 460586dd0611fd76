/**
 * Conformance: explicit `batch`, auto-batching, `flush()` and flush-on-read
 * (auto-spec.md section 9; catalogue 049, 051–059).
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, eachTarget, type Fixture } from './harness.js';

const sumObj = () => ({ a: 0, b: 0, c: 0, result: ($: any) => $.a + $.b + $.c });
const sumInternals = {
  fn: ['result'],
  subs: {},
  deps: { result: { a: true, b: true, c: true } },
  value: { a: 1, b: 2, c: 3, result: 6 },
  fatal: {},
};
const abObj = () => ({ a: 0, b: 0, result: ($: any) => $.a + $.b });
const abInternals = (subs: unknown) => ({
  fn: ['result'],
  subs,
  deps: { result: { a: true, b: true } },
  value: { a: 1, b: 2, result: 3 },
  fatal: {},
});

const fixtures: Fixture[] = [
  {
    id: '049_batch_api',
    make: () => {
      let traces: any[] = [];
      return {
        obj: {
          data: null,
          filter: null,
          page: 1,
          count: ($: any) => ($.data ? $.data.length : 0),
          filtered: ($: any) => {
            if (!$.data || !$.filter) return null;
            return $.data.filter((x: string) => x.includes($.filter));
          },
          filtered_count: ($: any) => ($.filtered ? $.filtered.length : 0),
          result: ($: any) => ({ page: $.page, count: $.filtered_count, items: $.filtered }),
        },
        fn: ($, global) => {
          $.data = ['apple', 'banana', 'apricot'];
          $.filter = 'ap';
          $.page = 1; // same primitive: no transaction
          global.separate_txn_count = traces.length;
          traces = [];
          $.batch(() => {
            $.data = ['apple', 'banana', 'apricot', 'avocado'];
            $.filter = 'av';
            $.page = 2;
          });
          global.batch_txn_count = traces.length;
          global.batch_trigger_count = traces[0].triggers.length;
          global.batch_trigger_names = traces[0].triggers.map((t: any) => t.name).sort();
          global.final_result = $.result;
        },
        opt: { auto_batch: false, trace: (t: any) => traces.push(t) },
        _: {
          fn: ['count', 'filtered', 'filtered_count', 'result'],
          subs: {},
          deps: {
            count: { data: true },
            filtered: { data: true, filter: true },
            filtered_count: { filtered: true },
            result: { page: true, filtered_count: true, filtered: true },
          },
          value: {
            data: ['apple', 'banana', 'apricot', 'avocado'],
            filter: 'av',
            page: 2,
            count: 4,
            filtered: ['avocado'],
            filtered_count: 1,
            result: { page: 2, count: 1, items: ['avocado'] },
          },
          fatal: {},
        },
        global: {
          separate_txn_count: 2,
          batch_txn_count: 1,
          batch_trigger_count: 3,
          batch_trigger_names: ['data', 'filter', 'page'],
          final_result: { page: 2, count: 1, items: ['avocado'] },
        },
      };
    },
  },
  {
    id: '051_auto_batch',
    make: () => {
      const traces: any[] = [];
      return {
        obj: sumObj(),
        fn: ($, global) => {
          $.a = 1;
          $.b = 2;
          $.c = 3;
          setTimeout(() => {
            global.txn_count = traces.length;
            global.trigger_count = traces[0].triggers.length;
            global.trigger_names = traces[0].triggers.map((t: any) => t.name).sort();
            global.final_result = $.result;
            global.done = true;
          }, 10);
        },
        opt: { trace: (t: any) => traces.push(t), auto_batch: true, auto_batch_delay: 0 },
        timeout: 50,
        _: sumInternals,
        global: {
          txn_count: 1,
          trigger_count: 3,
          trigger_names: ['a', 'b', 'c'],
          final_result: 6,
          done: true,
        },
      };
    },
  },
  {
    id: '052_auto_batch_off_by_default',
    make: () => {
      const traces: any[] = [];
      return {
        obj: sumObj(),
        fn: ($, global) => {
          $.a = 1;
          $.b = 2;
          $.c = 3;
          global.txn_count = traces.length;
          global.final_result = $.result;
        },
        // despite the test's name, it turns auto-batching off explicitly (the default is on)
        opt: { auto_batch: false, trace: (t: any) => traces.push(t) },
        _: sumInternals,
        global: { txn_count: 3, final_result: 6 },
      };
    },
  },
  {
    id: '053_explicit_batch_priority',
    make: () => {
      const traces: any[] = [];
      return {
        obj: sumObj(),
        fn: ($, global) => {
          $.batch(() => {
            $.a = 1;
            $.b = 2;
            $.c = 3;
          });
          // synchronous: no timer involved
          global.txn_count = traces.length;
          global.trigger_count = traces[0].triggers.length;
          global.final_result = $.result;
        },
        opt: { trace: (t: any) => traces.push(t), auto_batch: true, auto_batch_delay: 0 },
        _: sumInternals,
        global: { txn_count: 1, trigger_count: 3, final_result: 6 },
      };
    },
  },
  {
    id: '054_auto_batch_loop_performance',
    make: () => {
      const traces: any[] = [];
      return {
        obj: {
          items: [],
          count: ($: any) => $.items.length,
          doubled: ($: any) => $.count * 2,
        },
        fn: ($, global) => {
          for (let i = 0; i < 10; i++) $.items = Array(i + 1).fill('item');
          setTimeout(() => {
            global.txn_count = traces.length;
            global.trigger_count = traces[0].triggers.length;
            global.final_count = $.count;
            global.done = true;
          }, 10);
        },
        opt: { trace: (t: any) => traces.push(t), auto_batch: true, auto_batch_delay: 0 },
        timeout: 50,
        _: {
          fn: ['count', 'doubled'],
          subs: {},
          deps: { count: { items: true }, doubled: { count: true } },
          value: { items: Array(10).fill('item'), count: 10, doubled: 20 },
          fatal: {},
        },
        global: { txn_count: 1, trigger_count: 10, final_count: 10, done: true },
      };
    },
  },
  {
    id: '055_auto_batch_twitch_test',
    make: () => {
      const reads: number[] = [];
      return {
        obj: abObj(),
        fn: ($, global) => {
          $.a = 1;
          $.b = 2;
          reads.push($.result); // flush on read: already 3
          setTimeout(() => {
            reads.push($.result);
            global.immediate_result = reads[0];
            global.after_batch_result = reads[1];
            global.values_match = reads[0] === reads[1];
            global.done = true;
          }, 10);
        },
        opt: { auto_batch: true, auto_batch_delay: 0 },
        timeout: 50,
        _: abInternals({}),
        global: { immediate_result: 3, after_batch_result: 3, values_match: true, done: true },
      };
    },
  },
  {
    id: '056_auto_batch_subscription_count',
    make: () => {
      const fires: number[] = [];
      return {
        obj: abObj(),
        fn: ($, global) => {
          const unsub = $['#'].result.subscribe((v: number) => fires.push(v));
          $.a = 1;
          $.b = 2;
          const immediate = $.result;
          setTimeout(() => {
            unsub();
            global.sub_fire_count = fires.length;
            global.sub_values = [...fires];
            global.immediate_read = immediate;
            global.done = true;
          }, 10);
        },
        opt: { auto_batch: true, auto_batch_delay: 0 },
        timeout: 50,
        _: abInternals({ result: [] }),
        global: { sub_fire_count: 2, sub_values: [0, 3], immediate_read: 3, done: true },
      };
    },
  },
  // 057–059: three ways to avoid a stale read; each sees the subscription fire [0, 3] only
  noTwitch('057_auto_batch_flush_fix', ($) => {
    $.a = 1;
    $.b = 2;
    $.flush();
  }),
  noTwitch('058_explicit_batch_no_twitch', ($) =>
    $.batch(() => {
      $.a = 1;
      $.b = 2;
    }),
  ),
  noTwitch('059_auto_flush_on_read', ($) => {
    $.a = 1;
    $.b = 2; // the read below flushes
  }),
];

function noTwitch(id: string, write: ($: any) => void): Fixture {
  return {
    id,
    make: () => {
      const fires: number[] = [];
      return {
        obj: abObj(),
        fn: ($, global) => {
          const unsub = $['#'].result.subscribe((v: number) => fires.push(v));
          write($);
          global.result_value = $.result;
          unsub();
          global.sub_fire_count = fires.length;
          global.sub_values = fires;
        },
        opt: { auto_batch: true, auto_batch_delay: 0 },
        _: abInternals({ result: [] }),
        global: { result_value: 3, sub_fire_count: 2, sub_values: [0, 3] },
      };
    },
  };
}

conformance('batching', fixtures, auto);

eachTarget('batching, focused', auto, ({ auto }) => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (opt: Record<string, unknown> = {}) => {
    const traces: any[] = [];
    const $ = auto(
      { a: 0, b: 0, s: (_: any) => _.a + _.b },
      { ...opt, trace: (t: any) => traces.push(t) },
    );
    return { $, traces };
  };

  it('flushes on the timer with one transaction, in write order, duplicates kept', () => {
    const { $, traces } = make();
    $.a = 1;
    $.b = 2;
    $.a = 3;
    expect(traces).toHaveLength(0);
    vi.advanceTimersByTime(0);
    expect(traces).toHaveLength(1);
    expect(traces[0].triggers).toEqual([
      { name: 'a', value: 1 },
      { name: 'b', value: 2 },
      { name: 'a', value: 3 },
    ]);
    expect($._.value.s).toBe(5);
  });

  it('debounces: every write restarts auto_batch_delay', () => {
    const { $, traces } = make({ auto_batch_delay: 30 });
    $.a = 1;
    vi.advanceTimersByTime(20);
    $.b = 2; // restarts the 30 ms
    vi.advanceTimersByTime(20);
    expect(traces).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    expect(traces).toHaveLength(1);
    expect(traces[0].triggers.map((t: any) => t.name)).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes on any outside read, cancelling the timer', () => {
    const { $, traces } = make({ auto_batch_delay: 1000 });
    $.a = 1;
    expect($.b).toBe(0); // reading another key flushes too
    expect(traces).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    $.b = 2;
    expect($['#'].s.get()).toBe(3);
    expect(traces).toHaveLength(2);
  });

  it('does not flush on `$._.value`, on subscribe, or on reads inside functions', () => {
    const traces: any[] = [];
    const seen: number[] = [];
    const $ = auto({ a: 0, s: (_: any) => _.a }, { trace: (t: any) => traces.push(t) });
    $.a = 1;
    $['#'].s.subscribe((v: number) => seen.push(v));
    expect(seen).toEqual([0]);
    expect($._.value.s).toBe(0);
    $.add_dynamic({ t: (_: any) => _.s }); // evaluated at once; its read does not flush
    expect($._.value.t).toBe(0);
    expect(traces).toHaveLength(0);
    $.flush();
    expect(traces).toHaveLength(1);
    expect($._.value).toEqual({ a: 1, s: 1, t: 1 });
    expect(seen).toEqual([0, 1]);
  });

  it('makes `flush()` a no-op without pending writes or with auto_batch off', () => {
    const { $, traces } = make();
    expect($.flush()).toBeUndefined();
    const sync = make({ auto_batch: false });
    sync.$.a = 1;
    expect(sync.traces).toHaveLength(1);
    expect(sync.$.flush()).toBeUndefined();
    expect(sync.traces).toHaveLength(1);
    expect(traces).toHaveLength(0);
  });

  it('merges nested batches into the outer one and returns its trace', () => {
    const { $, traces } = make();
    let inner: unknown = 'not called';
    let staleInside: number | undefined;
    const outer = $.batch(() => {
      $.a = 1;
      inner = $.batch(() => {
        $.b = 2;
      });
      staleInside = $.s; // no flush inside a batch: the computed is stale
      expect($.a).toBe(1); // statics are written at once
    });
    expect(inner).toBeUndefined();
    expect(staleInside).toBe(0);
    expect(traces).toHaveLength(1);
    expect(outer).toBe(traces[0]);
    expect(outer.triggers.map((t: any) => t.name)).toEqual(['a', 'b']);
    expect($._.value.s).toBe(3);
    expect(vi.getTimerCount()).toBe(0); // batched writes do not arm the auto-batch timer
  });

  it('returns undefined from a batch that wrote nothing', () => {
    const { $, traces } = make();
    expect($.batch(() => {})).toBeUndefined();
    expect($.batch(() => ($.a = 0))).toBeUndefined(); // dropped write
    expect(traces).toHaveLength(0);
  });

  it('clears a throwing batch: rethrows, keeps written values, drops its triggers', () => {
    const { $, traces } = make({ auto_batch: false });
    const err = new Error('inside batch');
    expect(() =>
      $.batch(() => {
        $.a = 5;
        throw err;
      }),
    ).toThrow(err);
    expect(traces).toHaveLength(0);
    expect($._.value).toEqual({ a: 5, b: 0, s: 0 }); // written, never propagated
    $.b = 1; // no longer in a batch: propagates at once
    expect(traces).toHaveLength(1);
    expect(traces[0].triggers).toEqual([{ name: 'b', value: 1 }]);
    expect($._.value.s).toBe(6);
    const next = $.batch(() => ($.b = 2));
    expect(next.triggers).toEqual([{ name: 'b', value: 2 }]); // the dropped `a` is gone
  });

  it('leaves auto-batched writes pending before a batch out of it', () => {
    const { $, traces } = make();
    $.a = 1;
    $.batch(() => ($.b = 2));
    expect(traces.map((t) => t.triggers.map((x: any) => x.name))).toEqual([['b']]);
    vi.advanceTimersByTime(0);
    expect(traces.map((t) => t.triggers.map((x: any) => x.name))).toEqual([['b'], ['a']]);
    expect($._.value.s).toBe(3);
  });
});
