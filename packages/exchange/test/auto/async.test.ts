/**
 * Conformance: asynchronous computeds, callback `set` and promises (auto-spec.md section 11;
 * catalogue 031, 032, 041, 042). These use real timers: the runner checks after `timeout` ms.
 */
import { expect, it } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, eachTarget, type Fixture } from './harness.js';

const fixtures: Fixture[] = [
  {
    id: '031_async_function',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        // returns the Timeout object; `set` replaces it at 50 ms
        async_func: (_: any, set: (v: unknown) => void) => setTimeout(() => set('async done'), 50),
        // returns undefined; `set` comes at 150 ms, after the check
        another_async: (_: any, set: (v: unknown) => void) => {
          setTimeout(() => set('another done'), 150);
        },
      },
      fn: () => {},
      timeout: 100,
      _: {
        fn: ['async_func', 'another_async'],
        subs: {},
        deps: { async_func: {}, another_async: {} },
        value: { data: [1, 2, 3], async_func: 'async done', another_async: undefined },
        fatal: {},
      },
    }),
  },
  {
    id: '032_async_dependency',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        async_func: (_: any, set: (v: unknown) => void) => setTimeout(() => set('async done'), 50),
        // the read inside the timer callback adds a dependency late
        another_async: (_: any, set: (v: unknown) => void) =>
          setTimeout(() => set(_.async_func + ', and another done too'), 100),
      },
      fn: () => {},
      timeout: 150,
      _: {
        fn: ['async_func', 'another_async'],
        subs: {},
        deps: { async_func: {}, another_async: { async_func: true } },
        value: {
          data: [1, 2, 3],
          async_func: 'async done',
          another_async: 'async done, and another done too',
        },
        fatal: {},
      },
    }),
  },
  {
    id: '041_async_keyword',
    make: () => ({
      obj: { async_func: async () => 123 },
      fn: () => {},
      timeout: 100,
      _: {
        fn: ['async_func'],
        subs: {},
        deps: { async_func: {} },
        value: { async_func: 123 },
        fatal: {},
      },
    }),
  },
  {
    id: '042_async_keyword_dependency',
    make: () => ({
      obj: {
        data: [1, 2, 3],
        async_func: async () => 'async done',
        // resolves to a Timeout object first; the timer's `set` then overwrites it
        another_async: async (_: any, set: (v: unknown) => void) =>
          setTimeout(() => set(_.async_func + ', and another done too'), 100),
      },
      fn: () => {},
      timeout: 150,
      _: {
        fn: ['async_func', 'another_async'],
        subs: {},
        deps: { async_func: {}, another_async: { async_func: true } },
        value: {
          data: [1, 2, 3],
          async_func: 'async done',
          another_async: 'async done, and another done too',
        },
        fatal: {},
      },
    }),
  },
];

conformance('async', fixtures, auto);

/** A promise with its resolver, for deterministic async tests. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

eachTarget('async, focused', auto, ({ auto }) => {
  it('stores the pending promise; dependents see it, then recompute on resolution', async () => {
    const d = deferred<number>();
    const $ = auto({ a: () => d.promise, b: (_: any) => String(_.a) + '!' });
    expect($._.value.a).toBe(d.promise);
    expect($.b).toBe('[object Promise]!');
    d.resolve(123);
    await d.promise;
    expect($._.value).toEqual({ a: 123, b: '123!' });
  });

  it('propagates a resolution at once, bypassing pending auto-batched writes', async () => {
    const traces: any[] = [];
    const d = deferred<number>();
    const $ = auto(
      { x: 1, a: () => d.promise, b: (_: any) => `${String(_.a)}/${_.x}` },
      { trace: (t: any) => traces.push(t) },
    );
    $.x = 2; // pending
    d.resolve(7);
    await d.promise;
    expect(traces.map((t) => t.triggers)).toEqual([[{ name: 'a', value: 7 }]]);
    expect($._.value.b).toBe('7/2'); // the static was already stored
    $.flush();
    expect(traces.map((t) => t.triggers.map((x: any) => x.name))).toEqual([['a'], ['x']]);
  });

  it('lets whichever promise resolves last win', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const $ = auto(
      { x: 1, p: (_: any) => (_.x === 1 ? first.promise : second.promise) },
      { auto_batch: false },
    );
    $.x = 2;
    second.resolve('second');
    await second.promise;
    expect($._.value.p).toBe('second');
    first.resolve('first'); // stale, but not cancelled
    await first.promise;
    expect($._.value.p).toBe('first');
  });

  it('routes the callback `set` through the setter: auto-batched, or joining a batch', () => {
    const traces: any[] = [];
    let set!: (v: unknown) => void;
    const $ = auto(
      {
        x: 1,
        a: (_: any, s: (v: unknown) => void) => {
          set = s;
          return 0;
        },
        b: (_: any) => _.a + _.x,
      },
      { trace: (t: any) => traces.push(t) },
    );
    $.batch(() => {
      $.x = 2;
      set(10);
    });
    expect(traces[0].triggers).toEqual([
      { name: 'x', value: 2 },
      { name: 'a', value: 10 },
    ]);
    expect($._.value).toEqual({ x: 2, a: 10, b: 12 });
    set(20);
    expect(traces).toHaveLength(1); // pending until the flush
    expect($._.value.a).toBe(20);
    $.flush();
    expect(traces[1].updates).toEqual({ a: 20, b: 22 });
    set(20); // same primitive: dropped
    $.flush();
    expect(traces).toHaveLength(2);
  });
});
