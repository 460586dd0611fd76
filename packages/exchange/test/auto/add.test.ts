/**
 * Conformance: adding keys after construction and the external/internal guards
 * (auto-spec.md section 13; catalogue 038–040).
 */
import { expect, it } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, eachTarget, type Fixture } from './harness.js';

const fixtures: Fixture[] = [
  {
    id: '038_add',
    make: () => ({
      obj: {},
      fn: ($) => {
        $.add_static({ data: [1, 2, 3, 4] });
        $.add_dynamic({ count: (_: any) => _.data.length });
      },
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: { data: true } },
        value: { data: [1, 2, 3, 4], count: 4 },
        fatal: {},
      },
    }),
  },
  {
    id: '039_guard_static_external',
    make: () => ({
      obj: {},
      fn: ($) => {
        $.add_static_external({ data: [1, 2, 3, 4] });
        $.add_dynamic({ count: (_: any) => (_.data ? _.data.length : undefined) });
      },
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: {} },
        value: { data: [1, 2, 3, 4], count: undefined },
        fatal: {
          msg: "Function 'count' tried to access external variable 'data'",
          stack: ['count'],
        },
      },
    }),
  },
  {
    id: '040_guard_dynamic_internal',
    make: () => ({
      obj: {},
      fn: ($, global) => {
        $.add_static_mixed({ data: [1, 2, 3, 4] });
        // evaluated inside the call, before `count` is marked internal: boot succeeds
        $.add_dynamic_internal({ count: (_: any) => (_.data ? _.data.length : undefined) });
        global.count = $.count; // the outside read is what fails
      },
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: { data: true } },
        value: { data: [1, 2, 3, 4], count: 4 },
        fatal: { msg: "External read of internal function 'count'", stack: [] },
      },
      global: { count: undefined },
    }),
  },
];

conformance('add_*', fixtures, auto);

eachTarget('add_*, focused', auto, ({ auto }) => {
  it('adds statics with accessors and handles, without propagating', () => {
    const traces: any[] = [];
    const $ = auto({ a: 1 }, { auto_batch: false, trace: (t: any) => traces.push(t) });
    $.add_static({ b: 2, c: null });
    expect($._.value).toEqual({ a: 1, b: 2, c: null });
    expect($.b).toBe(2);
    expect(typeof $['#'].c.subscribe).toBe('function');
    expect(traces).toHaveLength(0);
    $.b = 3;
    expect(traces).toHaveLength(1);
  });

  it('throws TypeError when add_static redefines an existing key (after overwriting it)', () => {
    const $ = auto({ a: 1 });
    expect(() => $.add_static({ a: 2 })).toThrow(TypeError);
    expect($._.value.a).toBe(2);
  });

  it('refuses a function in add_static: no value, no accessor, but a handle', () => {
    const $ = auto({});
    $.add_static({ f: () => 1 });
    expect($._.value).toEqual({});
    expect(Object.getOwnPropertyDescriptor($, 'f')).toBeUndefined();
    expect('f' in $['#']).toBe(true);
    expect($._.fatal).toEqual({});
  });

  it('evaluates add_dynamic keys at once, in order, and keeps them up to date', () => {
    const $ = auto({ a: 1 }, { auto_batch: false });
    $.add_dynamic({ b: (_: any) => _.c + 1, c: (_: any) => _.a * 10 });
    expect($._.value).toEqual({ a: 1, b: 11, c: 10 });
    expect($._.deps).toEqual({ b: { c: true }, c: { a: true } });
    expect(Object.keys($._.fn)).toEqual(['#fatal', 'b', 'c']);
    $.a = 2;
    expect($._.value).toEqual({ a: 2, b: 21, c: 20 });
  });

  it('lists functions in $._.fn in the same order whether or not it was looked at before add_dynamic', () => {
    const make = () => {
      const fatal = () => {};
      return auto(
        { 2: (_: any) => _.x, x: 1, f: (_: any) => _.x, '#fatal': fatal },
        { auto_batch: false },
      );
    };
    const early = make();
    const seenEarly = Object.keys(early._.fn);
    early.add_dynamic({ g: (_: any) => _.f, 1: (_: any) => _.x });
    const late = make();
    late.add_dynamic({ g: (_: any) => _.f, 1: (_: any) => _.x });
    expect(seenEarly).toEqual(['2', 'f', '#fatal']);
    expect(Object.keys(early._.fn)).toEqual(['1', '2', 'f', '#fatal', 'g']);
    expect(Object.keys(late._.fn)).toEqual(Object.keys(early._.fn));
    expect(late._.fn.g).toBeTypeOf('function');
    expect(late._.fn).toBe(late._.fn);
  });

  it('lets outside code read static_external and functions read dynamic_external', () => {
    const $ = auto({});
    $.add_static_external({ ext: 5 });
    $.add_static_internal({ int: 6 });
    $.add_dynamic_external({ d: (_: any) => _.int + 1 });
    $.add_dynamic_mixed({ m: (_: any) => _.d + 1 });
    expect($.ext).toBe(5);
    expect($.d).toBe(7);
    expect($.m).toBe(8);
    expect($._.fatal).toEqual({});
  });

  it('blocks outside reads of dynamic_internal through the handle too', () => {
    const $ = auto({ a: 1 });
    $.add_dynamic_internal({ secret: (_: any) => _.a + 1 });
    expect($['#'].secret.get()).toBeUndefined();
    expect($._.fatal).toEqual({ msg: "External read of internal function 'secret'", stack: [] });
  });
});
