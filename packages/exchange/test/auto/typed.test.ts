import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { kernel } from '../../src/kernel/index.js';
import {
  auto,
  batch,
  flush,
  lastTrace,
  onTransaction,
  snapshot,
  subscribe,
  type Trace,
} from '../../src/auto/index.js';

const cart = () =>
  auto(
    {
      items: [] as string[],
      tax: 0.5,
      count: ($: { items: string[] }) => $.items.length,
      total: ($: { count: number; tax: number }) => $.count * (1 + $.tax),
      later: async ($: { count: number }) => $.count + 1,
    },
    { max_calls_per_second: 0 },
  );

describe('typed surface', () => {
  it('infers static and computed value types', () => {
    const $ = cart();
    expectTypeOf($.items).toEqualTypeOf<string[]>();
    expectTypeOf($.count).toEqualTypeOf<number>();
    expectTypeOf($.later).toEqualTypeOf<number | Promise<number>>();
    expect(() => {
      // @ts-expect-error computeds are read-only (and throw at run time: getter only)
      $.count = 3;
    }).toThrow(TypeError);
    const wrongType = () => {
      // @ts-expect-error a static keeps its type
      $.tax = 'high';
    };
    expect(typeof wrongType).toBe('function');
  });

  it('subscribe returns an unsubscribe function and is typed by key', () => {
    const $ = cart();
    const seen: number[] = [];
    const stop = subscribe($, 'count', (n) => {
      expectTypeOf(n).toEqualTypeOf<number>();
      seen.push(n);
    });
    $.items = ['a'];
    flush($);
    stop();
    $.items = ['a', 'b'];
    flush($);
    expect(seen).toEqual([0, 1]);
    // @ts-expect-error unknown key
    expect(() => subscribe($, 'nope', () => {})).toThrow(TypeError);
  });

  it('batch makes one transaction and returns its trace', () => {
    const $ = cart();
    const trace = batch($, () => {
      $.items = ['a', 'b'];
      $.tax = 1;
    });
    expect(trace?.triggers.map((t) => t.name)).toEqual(['items', 'tax']);
    // `later` got a new pending promise: promises deep-compare equal, so it is not an update
    expect(trace?.updates).toEqual({ count: 2, total: 4 });
    expect(lastTrace($)).toBe(trace);
  });

  it('snapshot is a plain copy of the current values', () => {
    const $ = cart();
    const snap = snapshot($);
    expect(Object.getPrototypeOf(snap)).toBe(Object.prototype);
    expect(snap).toMatchObject({ items: [], tax: 0.5, count: 0, total: 0 });
    $.items = ['x'];
    flush($);
    expect(snap.count).toBe(0);
  });

  it('onTransaction sees every transaction, and stops when removed', () => {
    const $ = cart();
    const traces: Trace[] = [];
    const stop = onTransaction($, (t) => traces.push(t));
    $.items = ['a'];
    flush($);
    stop();
    $.items = ['b', 'c'];
    flush($);
    expect(traces.map((t) => t.triggers[0].value)).toEqual([['a']]);
  });
});

describe('every state operation is a kernel signal', () => {
  it('hooks see set, txn, run, read, circle, notify in causal order', () => {
    const k = kernel();
    const $ = auto(
      { a: 1, b: ($: { a: number }) => $.a * 2 },
      { kernel: k, auto_batch: false, max_calls_per_second: 0 },
    );
    subscribe($, 'b', () => {});
    const seen: string[] = [];
    k.hook({
      beforeSignal: (name, value, detail) => {
        const n = (v: unknown) => (v as { name?: string } | undefined)?.name;
        seen.push(`${name}:${n(value) ?? ''}${detail && n(detail) ? `<${n(detail)}` : ''}`);
      },
    });
    $.a = 2;
    expect($.b).toBe(4);
    expect(seen).toEqual([
      'auto.set:a',
      'auto.txn:',
      'auto.run:b',
      'auto.circle:b',
      'auto.read:a<b',
      'auto.notify:b',
      'auto.get:b',
    ]);
  });

  it('two instances share a kernel with distinct prefixes, and a clash is a typed error', () => {
    const k = kernel();
    auto({ a: 1 }, { kernel: k });
    expect(() => auto({ a: 1 }, { kernel: k })).toThrow(
      expect.objectContaining({ code: 'HANDLER_EXISTS' }),
    );
    const other = auto(
      { x: 1, y: ($: { x: number }) => $.x + 1 },
      { kernel: k, signal_prefix: 'other.' },
    );
    expect(other.y).toBe(2);
  });

  it('a throwing subscriber goes to the kernel error route and state stays consistent', () => {
    const onError = vi.fn();
    const k = kernel({ onError });
    const $ = auto(
      { a: 1, b: ($: { a: number }) => $.a + 1 },
      { kernel: k, auto_batch: false, max_calls_per_second: 0 },
    );
    let calls = 0;
    $['#'].b.subscribe(() => {
      if (calls++ > 0) throw new Error('boom');
    });
    $.a = 5;
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0][1]).toBe('auto.notify');
    expect($.b).toBe(6);
    $.a = 6;
    expect($.b).toBe(7);
  });
});
