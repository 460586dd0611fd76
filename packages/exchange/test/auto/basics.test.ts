/**
 * Conformance: statics, computeds, `$._` shapes, dependency tracking, out-of-order definitions and
 * nested objects (auto-spec.md sections 1, 3, 4, 6, 19; catalogue 001–009, 022–027, 033, 035, 036).
 */
import { expect } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, type Fixture } from './harness.js';

const fixtures: Fixture[] = [
  {
    id: '001_empty',
    make: () => ({
      obj: {},
      fn: () => {},
      _: { fn: [], subs: {}, deps: {}, value: {}, fatal: {} },
    }),
  },
  {
    id: '002_just_one_value',
    make: () => ({
      obj: { data: null },
      fn: () => {},
      _: { fn: [], subs: {}, deps: {}, value: { data: null }, fatal: {} },
    }),
  },
  {
    id: '003_just_one_function',
    make: () => ({
      obj: { func: () => 'val' },
      fn: () => {},
      _: { fn: ['func'], subs: {}, deps: { func: {} }, value: { func: 'val' }, fatal: {} },
    }),
  },
  {
    id: '004_just_value_and_function',
    make: () => ({
      obj: { data: null, func: () => 'val' },
      fn: () => {},
      _: {
        fn: ['func'],
        subs: {},
        deps: { func: {} },
        value: { data: null, func: 'val' },
        fatal: {},
      },
    }),
  },
  {
    id: '005_dependent_function',
    make: () => ({
      obj: { data: null, count: ($: any) => ($.data ? $.data.length : 0) },
      fn: () => {},
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: { data: true } },
        value: { data: null, count: 0 },
        fatal: {},
      },
    }),
  },
  {
    id: '006_value_set',
    make: () => ({
      obj: { data: null },
      fn: ($) => {
        $.data = [1, 2, 3];
      },
      _: { fn: [], subs: {}, deps: {}, value: { data: [1, 2, 3] }, fatal: {} },
    }),
  },
  {
    id: '007_value_set_with_dependent_function',
    make: () => ({
      obj: { data: null, count: ($: any) => ($.data ? $.data.length : 0) },
      fn: ($) => {
        $.data = [1, 2, 3];
      },
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: { data: true } },
        value: { data: [1, 2, 3], count: 3 },
        fatal: {},
      },
    }),
  },
  {
    id: '008_value_set_with_get',
    make: () => ({
      obj: { data: null, count: ($: any) => ($.data ? $.data.length : 0) },
      fn: ($, global) => {
        $.data = [1, 2, 3];
        global.count = $.count; // flush on read makes this 3 already
      },
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: { data: true } },
        value: { data: [1, 2, 3], count: 3 },
        fatal: {},
      },
      global: { count: 3 },
    }),
  },
  {
    id: '009_nested_deps',
    make: () => ({
      obj: { a: null, b: ($: any) => $.a + 10, c: ($: any) => $.b + 20 },
      fn: ($, global) => {
        $.a = 5;
        global.c = $.c;
      },
      _: {
        fn: ['b', 'c'],
        subs: {},
        deps: { b: { a: true }, c: { b: true } },
        value: { a: 5, b: 15, c: 35 },
        fatal: {},
      },
      global: { c: 35 },
    }),
  },
  {
    id: '022_conditional_deps',
    make: () => ({
      obj: {
        data1: null,
        data2: null,
        func: ($: any) => ($.data1 ? $.data1.length : $.data2 ? $.data2.length : 0),
      },
      fn: () => {},
      _: {
        fn: ['func'],
        subs: {},
        deps: { func: { data1: true, data2: true } },
        value: { data1: null, data2: null, func: 0 },
        fatal: {},
      },
    }),
  },
  {
    id: '023_nested_conditional_deps',
    make: () => ({
      obj: {
        data1: null,
        func1: ($: any) => ($.data1 ? $.data1.length : null),
        func2: ($: any) => ($.func1 ? $.func1.length : $.data2 ? $.data2.length : 0),
        data2: null,
      },
      fn: () => {},
      _: {
        fn: ['func1', 'func2'],
        subs: {},
        deps: { func1: { data1: true }, func2: { func1: true, data2: true } },
        value: { data1: null, data2: null, func1: null, func2: 0 },
        fatal: {},
      },
    }),
  },
  {
    id: '024_out_of_order_functions',
    make: () => ({
      obj: {
        data1: null,
        func2: ($: any) => ($.func1 ? $.func1.length : $.data2 ? $.data2.length : 0),
        func1: ($: any) => ($.data1 ? $.data1.length : null),
        data2: null,
      },
      fn: () => {},
      _: {
        fn: ['func1', 'func2'],
        subs: {},
        deps: { func1: { data1: true }, func2: { func1: true, data2: true } },
        value: { data1: null, data2: null, func1: null, func2: 0 },
        fatal: {},
      },
    }),
  },
  nestedObject('025_nested_functions'),
  nestedObject('026_array_of_objects'),
  {
    id: '027_direct_array_of_objects',
    make: () => {
      const data = { one: { points: [1, 2, 3, 4, 5] }, two: { points: [4, 5, 6, 7, 8] } };
      return {
        obj: {
          data,
          a: 0,
          b: 5,
          names: ['one'],
          // reads inside map/filter callbacks are dependencies too
          charts: ($: any) =>
            $.names.map((name: string) => ({
              dataset: name,
              points: $.data[name].points,
              values: $.data[name].points.filter((p: number) => $.a < p && p < $.b),
            })),
        },
        fn: () => {},
        _: {
          fn: ['charts'],
          subs: {},
          deps: { charts: { names: true, data: true, a: true, b: true } },
          value: {
            data: { one: { points: [1, 2, 3, 4, 5] }, two: { points: [4, 5, 6, 7, 8] } },
            a: 0,
            b: 5,
            names: ['one'],
            charts: [{ dataset: 'one', points: [1, 2, 3, 4, 5], values: [1, 2, 3, 4] }],
          },
          fatal: {},
        },
      };
    },
  },
  {
    id: '033_out_of_order_size',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        func: (_: any) => _.size + 1,
        size: (_: any) => _.data.length,
      },
      fn: () => {},
      _: {
        fn: ['func', 'size'],
        subs: {},
        deps: { func: { size: true }, size: { data: true } },
        value: { data: [1, 2, 3], func: 4, size: 3 },
        fatal: {},
      },
    }),
  },
  {
    id: '035_more_out_of_order',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        func: (_: any) => _.more.length + 1,
        more: (_: any) => _.data.map((d: number) => d + 1),
      },
      fn: () => {},
      _: {
        fn: ['func', 'more'],
        subs: {},
        deps: { func: { more: true }, more: { data: true } },
        value: { data: [1, 2, 3], func: 4, more: [2, 3, 4] },
        fatal: {},
      },
    }),
  },
  {
    id: '036_complete_leaves',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        combine: (_: any) => _.data.length + _.func_1 + _.func_2,
        func_1: (_: any) => _.data.length,
        func_2: (_: any) => _.data.length + 10,
      },
      fn: ($) => {
        $.data = [1, 2, 3, 4];
      },
      _: {
        fn: ['func_1', 'func_2', 'combine'],
        subs: {},
        deps: {
          func_1: { data: true },
          func_2: { data: true },
          combine: { func_1: true, func_2: true, data: true },
        },
        value: { data: [1, 2, 3, 4], func_1: 4, func_2: 14, combine: 22 },
        fatal: {},
      },
    }),
  },
];

/**
 * 025/026 are ignored upstream: they expect nested computeds flattened to `'tst.var2'`. We assert
 * the reference behaviour instead (spec 19): the nested object is ONE static value, never
 * flattened, and its functions are never called, not at boot, not after a write.
 */
function nestedObject(id: string): Fixture {
  let calls = 0;
  return {
    id: `${id} (spec 19: one static value)`,
    make: () => {
      calls = 0;
      const tst = {
        var1: [1, 2, 3],
        var2: ($: any) => (calls++, $.tst.var1.map((v: number) => v + 1)),
        var3: ($: any) => (calls++, $.tst.var2.map(String)),
      };
      const replacement = { ...tst, var1: [4, 5] };
      return {
        obj: { tst, size: (_: any) => Object.keys(_.tst).length },
        fn: ($, global) => {
          global.same = $.tst === tst;
          $.tst = replacement; // the whole object is the value; a write replaces it
        },
        _: {
          fn: ['size'],
          subs: {},
          deps: { size: { tst: true } },
          // `eq` compares the inner functions with `==`: the very same functions, uncalled
          value: { tst: replacement, size: 3 },
          fatal: {},
        },
        global: { same: true },
      };
    },
    after: ({ internals }) => {
      expect(calls).toBe(0);
      expect(Object.keys(internals.value).sort()).toEqual(['size', 'tst']);
    },
  };
}

conformance('basics', fixtures, auto);
