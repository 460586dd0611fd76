/**
 * Conformance: circular dependencies, forbidden writes and reads, the `'#fatal'` handler
 * (auto-spec.md sections 5, 6, 12; catalogue 010–014, 018, 030, 034, 043).
 */
import { expect, it, vi } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, eachTarget, type Fixture } from './harness.js';

const circular = (stack: string[]) => ({ msg: 'circular dependency', stack });

const fixtures: Fixture[] = [
  {
    id: '010_circle_detection',
    make: () => ({
      obj: { tick: ($: any) => $.tock, tock: ($: any) => $.tick },
      fn: () => {},
      _: {
        fn: ['tick', 'tock'],
        subs: {},
        deps: { tick: {}, tock: {} },
        value: { tick: undefined, tock: undefined },
        fatal: circular(['tick', 'tock', 'tick']),
      },
    }),
  },
  {
    id: '011_nested_circle',
    make: () => ({
      obj: { a: null, b: ($: any) => $.a + $.c, c: ($: any) => $.a + $.b },
      fn: () => {},
      _: {
        fn: ['b', 'c'],
        subs: {},
        // `a` was read before the circle; the reads after fatal record nothing
        deps: { b: { a: true }, c: { a: true } },
        value: { a: null, b: NaN, c: NaN },
        fatal: circular(['b', 'c', 'b']),
      },
    }),
  },
  {
    id: '012_actual_nested_circle',
    make: () => ({
      obj: { a: ($: any) => $.b, b: ($: any) => $.c, c: ($: any) => $.a },
      fn: () => {},
      _: {
        fn: ['a', 'b', 'c'],
        subs: {},
        deps: { a: {}, b: {}, c: {} },
        value: { a: undefined, b: undefined, c: undefined },
        fatal: circular(['a', 'b', 'c', 'a']),
      },
    }),
  },
  {
    id: '013_conditional_circle_boot',
    make: () => ({
      obj: {
        data: null,
        a: ($: any) => $.b,
        b: ($: any) => $.c,
        c: ($: any) => ($.data ? $.a : 0),
      },
      fn: () => {},
      _: {
        fn: ['a', 'b', 'c'],
        subs: {},
        deps: { a: { b: true }, b: { c: true }, c: { data: true } },
        value: { data: null, a: 0, b: 0, c: 0 },
        fatal: {},
      },
    }),
  },
  {
    id: '014_conditional_circle_triggered',
    make: () => ({
      obj: {
        data: null,
        a: ($: any) => $.b,
        b: ($: any) => $.c,
        c: ($: any) => ($.data ? $.a : 0),
      },
      fn: ($, global) => {
        $.data = true;
        global.a = $.a; // flush on read runs the transaction; fatal makes the read undefined
      },
      _: {
        fn: ['a', 'b', 'c'],
        subs: {},
        deps: { a: {}, b: {}, c: { data: true } },
        value: { data: true, a: undefined, b: undefined, c: undefined },
        fatal: circular(['c', 'a', 'b', 'c']),
      },
      global: { a: undefined },
    }),
  },
  {
    id: '018_no_side_affects',
    make: () => ({
      obj: { data: null, count: ($: any) => ($.data = 10) },
      fn: () => {},
      _: {
        fn: ['count'],
        subs: {},
        deps: { count: {} },
        // nothing is written; the assignment expression's value (10) is still stored
        value: { data: null, count: 10 },
        fatal: { msg: 'function count is trying to change value data', stack: ['count'] },
      },
    }),
  },
  {
    id: '030_inner_loop_detection',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        initial: (_: any) => _.data.length + _.loop_a,
        loop_a: (_: any) => _.loop_b,
        loop_b: (_: any) => _.loop_a,
      },
      fn: () => {},
      _: {
        fn: ['initial', 'loop_a', 'loop_b'],
        subs: {},
        deps: { initial: { data: true }, loop_a: {}, loop_b: {} },
        value: { data: [1, 2, 3], initial: NaN, loop_a: undefined, loop_b: undefined },
        fatal: circular(['initial', 'loop_a', 'loop_b', 'loop_a']),
      },
    }),
  },
  {
    id: '034_check_variable_exists',
    make: () => ({
      obj: { func: (_: any) => _.size + 1 },
      fn: () => {},
      _: {
        fn: ['func'],
        subs: {},
        deps: { func: {} },
        value: { func: NaN },
        fatal: {
          msg: 'function func is trying to access non-existent variable size',
          stack: ['func'],
        },
      },
    }),
  },
  {
    id: '043_set_fatal_function',
    make: () => {
      let message: string | null = null;
      return {
        obj: {
          data: (_: any) => (_.hello = 123),
          '#fatal': () => {
            message = 'fatal';
          },
        },
        // the handler ran synchronously inside auto(), before fn
        fn: (_$, global) => {
          global.msg = message;
        },
        timeout: 150,
        _: {
          fn: ['data'],
          subs: {},
          deps: { data: {} },
          value: { data: 123 },
          fatal: { msg: 'function data is trying to change value hello', stack: ['data'] },
        },
        global: { msg: 'fatal' },
      };
    },
  },
];

conformance('fatal', fixtures, auto);

eachTarget('fatal, focused', auto, ({ auto }) => {
  it('calls the handler with { msg, res, stack, vars, details }', () => {
    const calls: any[] = [];
    const seenStack: string[][] = [];
    const $ = auto({
      data: [1, 2, 3],
      f: (_: any) => {
        _.data;
        _.data = 1;
        return 0;
      },
      '#fatal': (arg: any) => {
        calls.push(arg);
        seenStack.push([...arg.stack]);
      },
    });
    expect(calls).toHaveLength(1);
    const arg = calls[0];
    expect(Object.keys(arg).sort()).toEqual(['details', 'msg', 'res', 'stack', 'vars']);
    expect(arg.msg).toBe('function f is trying to change value data');
    expect(arg.res).toBe($);
    expect(arg.details).toBeUndefined();
    expect(seenStack[0]).toEqual(['f']); // the live stack at the time of the call
    expect(arg.stack).toEqual([]); // ... which was popped afterwards
    expect($._.fatal.stack).toEqual(['f']); // the frozen copy
    expect(JSON.stringify(arg.vars)).toContain('array, length 3'); // arrays are summarised
  });

  it('reports an exception as { msg: "exception in F", e }, an object', () => {
    const e = new Error('boom');
    const handler = vi.fn();
    const $ = auto({
      a: 1,
      f: (_: any) => {
        _.a;
        throw e;
      },
      '#fatal': handler,
    });
    expect($._.fatal.msg).toEqual({ msg: 'exception in f', e });
    expect($._.fatal.msg.e).toBe(e);
    expect($._.fatal.stack).toEqual(['f']);
    expect($._.value).toStrictEqual({ a: 1, f: undefined }); // the result is undefined
    expect($._.deps.f).toEqual({ a: true });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]?.[0].msg).toEqual({ msg: 'exception in f', e });
  });

  it('lets later proxy failures overwrite msg and stack, calling the handler each time', () => {
    const msgs: string[] = [];
    const $ = auto({
      f: (_: any) => {
        _.x = 1;
        _.y = 2;
        return _.nope;
      },
      '#fatal': (arg: any) => msgs.push(arg.msg),
    });
    expect(msgs).toEqual([
      'function f is trying to change value x',
      'function f is trying to change value y',
      'function f is trying to access non-existent variable nope',
    ]);
    expect($._.fatal).toEqual({
      msg: 'function f is trying to access non-existent variable nope',
      stack: ['f'],
    });
  });

  it('does not let an exception overwrite an earlier fatal', () => {
    const msgs: unknown[] = [];
    const $ = auto({
      f: (_: any) => {
        _.x = 1;
        throw new Error('later');
      },
      '#fatal': (arg: any) => msgs.push(arg.msg),
    });
    expect(msgs).toEqual(['function f is trying to change value x']);
    expect($._.fatal).toEqual({ msg: 'function f is trying to change value x', stack: ['f'] });
  });

  it("makes a computed's own synchronous `set` fatal (its value does not exist yet)", () => {
    const $ = auto({
      f: (_: any, set: (v: unknown) => void) => {
        set(1);
        return 2;
      },
    });
    expect($._.fatal).toEqual({
      msg: 'outside code trying to set unknown variable f',
      stack: ['f'],
    });
    expect($._.value).toEqual({ f: 2 }); // stored even though fatal was set during the call
  });

  it('leaves everything inert after fatal', async () => {
    const traces: any[] = [];
    const seen: unknown[] = [];
    let runs = 0;
    let resolve!: (v: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    const $ = auto(
      {
        a: 1,
        p: () => promise,
        bad: (_: any) => _.nope,
        later: (_: any) => (runs++, _.a * 2),
      },
      { auto_batch: false, trace: (t: any) => traces.push(t) },
    );
    expect($._.fatal.msg).toBe('function bad is trying to access non-existent variable nope');
    expect(runs).toBe(0); // evaluation stops: `later` never ran
    expect('later' in $._.value).toBe(false);
    $['#'].a.subscribe((v: unknown) => seen.push(v));
    $.a = 5; // ignored
    $['#'].a.set(6); // ignored
    expect($._.value.a).toBe(1);
    expect($.a).toBeUndefined(); // reads give undefined
    expect($['#'].a.get()).toBeUndefined();
    resolve(7);
    await promise;
    await Promise.resolve();
    expect($._.value.p).toBe(promise); // the resolution is ignored
    expect(traces).toHaveLength(0);
    expect(seen).toEqual([1]); // only the immediate call
  });

  it('gives `undefined` to reads after fatal, without recording them', () => {
    const $ = auto({ a: 1, f: (_: any) => [_.nope, _.a] });
    expect($._.value.f).toEqual([undefined, undefined]);
    expect($._.deps.f).toEqual({});
  });
});
