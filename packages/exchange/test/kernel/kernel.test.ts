import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { kernel, KernelError } from '../../src/kernel/index.js';
import type { Kernel, KernelHooks, KernelInit } from '../../src/kernel/index.js';

/** A kernel whose error and unhandled reports are recorded instead of printed. */
function recorded(init: KernelInit = {}) {
  const errors: [error: unknown, name: string, value: unknown][] = [];
  const unhandled: [name: string, value: unknown][] = [];
  const k = kernel({
    onError: (error, name, value) => errors.push([error, name, value]),
    onUnhandled: (name, value) => unhandled.push([name, value]),
    ...init,
  });
  return { k, errors, unhandled };
}

/** A hook object that logs every call, tagged, into `log`. */
function loggingHooks(log: unknown[][], tag = ''): Required<KernelHooks> {
  return {
    beforeSignal: (...args) => log.push([`${tag}beforeSignal`, ...args]),
    afterSignal: (...args) => log.push([`${tag}afterSignal`, ...args]),
    beforeHandler: (...args) => log.push([`${tag}beforeHandler`, ...args]),
    afterHandler: (...args) => log.push([`${tag}afterHandler`, ...args]),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('immediate handlers', () => {
  it('run inside sig and return their value to the caller', () => {
    const { k } = recorded();
    k.handle('double', (n: number) => n * 2, { immediate: true });
    expect(k.sig('double', 21)).toBe(42);
    expect(k.sig('double', 5)).toBe(10);
    expect(k.pending).toBe(0);
  });

  it('receive the value, the detail and the signal name', () => {
    const { k } = recorded();
    const handler = vi.fn(() => 'ok');
    k.handle('greet', handler, { immediate: true });
    expect(k.sig('greet', 'value', { extra: 1 })).toBe('ok');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith('value', { extra: 1 }, 'greet');
  });

  it('run synchronously, before sig returns, without any step', () => {
    const { k } = recorded();
    const order: string[] = [];
    k.handle('now', () => order.push('handler'), { immediate: true });
    order.push('before');
    k.sig('now');
    order.push('after');
    expect(order).toEqual(['before', 'handler', 'after']);
    expect(k.step()).toBe(0);
  });

  it('may emit other signals re-entrantly and use their results', () => {
    const { k } = recorded();
    k.handle('inc', (n: number) => n + 1, { immediate: true });
    k.handle('inc2', (n: number) => k.sig('inc', k.sig('inc', n)), { immediate: true });
    expect(k.sig('inc2', 1)).toBe(3);
  });

  it('return undefined from sig when the signal has no immediate handler', () => {
    const { k } = recorded();
    k.handle('queued', () => 'ignored');
    expect(k.sig('queued')).toBeUndefined();
    expect(k.sig('nobody')).toBeUndefined();
  });
});

describe('queued handlers', () => {
  it('do not run on sig; run on step, in registration order', () => {
    const { k } = recorded();
    const order: string[] = [];
    k.handle('job', (v: string) => order.push(`first:${v}`));
    k.handle('job', (v: string) => order.push(`second:${v}`));
    k.handle('job', (v: string) => order.push(`third:${v}`));
    k.sig('job', 'a');
    expect(order).toEqual([]);
    expect(k.step()).toBe(1);
    expect(order).toEqual(['first:a', 'second:a', 'third:a']);
  });

  it('process signals in emission order across names (FIFO)', () => {
    const { k } = recorded();
    const order: string[] = [];
    k.handle('a', (v: number) => order.push(`a1:${v}`));
    k.handle('a', (v: number) => order.push(`a2:${v}`));
    k.handle('b', (v: number) => order.push(`b:${v}`));
    k.sig('a', 1);
    k.sig('b', 2);
    k.sig('a', 3);
    expect(k.step()).toBe(3);
    expect(order).toEqual(['a1:1', 'a2:1', 'b:2', 'a1:3', 'a2:3']);
  });

  it('receive the value and the signal name', () => {
    const { k } = recorded();
    const handler = vi.fn();
    k.handle('named', handler);
    k.sig('named', 7);
    k.step();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]?.[0]).toBe(7);
    expect(handler.mock.calls[0]?.[2]).toBe('named');
  });

  it('regression: queued handlers receive the detail passed to sig', () => {
    const { k } = recorded();
    const handler = vi.fn();
    k.handle('with-detail', handler);
    k.sig('with-detail', 1, { trace: 'abc' });
    k.step();
    expect(handler).toHaveBeenCalledWith(1, { trace: 'abc' }, 'with-detail');
  });

  it('step returns 0 and does nothing on an empty queue', () => {
    const { k } = recorded();
    const handler = vi.fn();
    k.handle('idle', handler);
    expect(k.step()).toBe(0);
    expect(handler).not.toHaveBeenCalled();
  });

  it('run each queued signal once: a second step does not repeat it', () => {
    const { k } = recorded();
    const handler = vi.fn();
    k.handle('once', handler);
    k.sig('once');
    k.step();
    k.step();
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('generations: step processes exactly one', () => {
  it('signals emitted by handlers during a step wait for the next step', () => {
    const { k } = recorded();
    const order: string[] = [];
    k.handle('a', () => {
      order.push('a');
      k.sig('b');
    });
    k.handle('b', () => {
      order.push('b');
      k.sig('c');
    });
    k.handle('c', () => order.push('c'));
    k.sig('a');
    expect(k.step()).toBe(1);
    expect(order).toEqual(['a']);
    expect(k.pending).toBe(1);
    expect(k.step()).toBe(1);
    expect(order).toEqual(['a', 'b']);
    expect(k.step()).toBe(1);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(k.step()).toBe(0);
  });

  it('a handler that re-emits its own signal runs once per step', () => {
    const { k } = recorded();
    let runs = 0;
    k.handle('tick', () => {
      runs++;
      k.sig('tick');
    });
    k.sig('tick');
    k.step();
    k.step();
    k.step();
    expect(runs).toBe(3);
    expect(k.pending).toBe(1);
  });

  it('the current generation finishes before the next one starts', () => {
    const { k } = recorded();
    const order: string[] = [];
    k.handle('x', (v: number) => {
      order.push(`x${v}`);
      k.sig('y', v);
    });
    k.handle('y', (v: number) => order.push(`y${v}`));
    k.sig('x', 1);
    k.sig('x', 2);
    k.step();
    expect(order).toEqual(['x1', 'x2']);
    k.step();
    expect(order).toEqual(['x1', 'x2', 'y1', 'y2']);
  });
});

describe('drain', () => {
  it('steps until the queue is quiet and returns how many signals ran', () => {
    const { k } = recorded();
    const order: string[] = [];
    k.handle('a', () => (order.push('a'), k.sig('b'), k.sig('b')));
    k.handle('b', () => (order.push('b'), k.sig('c')));
    k.handle('c', () => order.push('c'));
    k.sig('a');
    expect(k.drain()).toBe(5);
    expect(order).toEqual(['a', 'b', 'b', 'c', 'c']);
    expect(k.pending).toBe(0);
  });

  it('returns 0 when nothing is queued', () => {
    const { k } = recorded();
    expect(k.drain()).toBe(0);
  });

  it('throws KernelError DRAIN_LIMIT with a helpful message when a handler re-emits forever', () => {
    const { k } = recorded({ maxGenerations: 50 });
    let runs = 0;
    k.handle('loop', () => {
      runs++;
      k.sig('loop');
    });
    k.sig('loop');
    let caught: unknown;
    try {
      k.drain();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KernelError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as KernelError;
    expect(error.code).toBe('DRAIN_LIMIT');
    expect(error.name).toBe('KernelError');
    expect(error.message).toContain('50 generations');
    expect(error.message).toContain('loop'); // names the signal still pending
    expect(error.message).toMatch(/re-emits/);
    expect(runs).toBe(50); // bounded by maxGenerations, one run per generation
  });

  it('refuses the newest signal with QUEUE_FULL at maxQueued, keeping what is queued', () => {
    const { k } = recorded({ maxQueued: 3 });
    const got: number[] = [];
    k.handle('q', (v: number) => void got.push(v));
    for (let v = 1; v <= 3; v++) k.sig('q', v);
    expect(() => k.sig('q', 4)).toThrow(
      expect.objectContaining({
        code: 'QUEUE_FULL',
        message: expect.stringContaining('q refused'),
      }),
    );
    expect(k.pending).toBe(3);
    expect(k.drain()).toBe(3);
    expect(got).toEqual([1, 2, 3]);
    k.sig('q', 5); // room again once stepped
    k.drain();
    expect(got).toEqual([1, 2, 3, 5]);
  });

  it('a handler whose sig is refused goes to the error route; the generation goes on', () => {
    const { k, errors } = recorded({ maxQueued: 1 });
    const got: string[] = [];
    k.handle('fan', () => {
      k.sig('leaf', 'a');
      k.sig('leaf', 'b'); // refused: one already waits
    });
    k.handle('leaf', (v: string) => void got.push(v));
    k.sig('fan');
    k.drain();
    expect(errors).toEqual([[expect.objectContaining({ code: 'QUEUE_FULL' }), 'fan', undefined]]);
    expect(got).toEqual(['a']);
  });

  it('defaults to 10000 generations', () => {
    const { k } = recorded();
    let runs = 0;
    k.handle('loop', () => (runs++, k.sig('loop')));
    k.sig('loop');
    expect(() => k.drain()).toThrow(expect.objectContaining({ code: 'DRAIN_LIMIT' }));
    expect(runs).toBe(10_000);
  });

  it('allows exactly maxGenerations generations', () => {
    const chain = (maxGenerations: number, length: number) => {
      const { k } = recorded({ maxGenerations });
      k.handle('hop', (left: number) => void (left > 1 && k.sig('hop', left - 1)));
      k.sig('hop', length);
      return () => k.drain();
    };
    expect(chain(3, 3)()).toBe(3);
    expect(chain(3, 4)).toThrow(KernelError);
    expect(chain(0, 1)).toThrow(/after 0 generations/);
  });

  it('lists up to five distinct pending names in the message', () => {
    const { k } = recorded({ maxGenerations: 2 });
    const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
    for (const name of names) {
      k.handle(name, () => (k.sig(name), k.sig(name)));
      k.sig(name);
    }
    expect(() => k.drain()).toThrow('(pending: n1, n2, n3, n4, n5)');
  });

  it('leaves the kernel usable after DRAIN_LIMIT: the queue is kept', () => {
    const { k } = recorded({ maxGenerations: 5 });
    let budget = 8;
    k.handle('loop', () => void (--budget > 0 && k.sig('loop')));
    k.sig('loop');
    expect(() => k.drain()).toThrow(KernelError);
    expect(k.pending).toBe(1);
    expect(k.drain()).toBe(3);
    expect(budget).toBe(0);
  });
});

describe('hooks', () => {
  it('see a signal and its immediate and queued handler runs, in order, with their args', () => {
    const { k } = recorded();
    const log: unknown[][] = [];
    k.handle('x', (v: number) => (log.push(['immediate', v]), v * 10), { immediate: true });
    k.handle('x', (v: number) => (log.push(['queued', v]), 'q'));
    k.hook(loggingHooks(log));
    expect(k.sig('x', 4, 'detail')).toBe(40);
    expect(log).toEqual([
      ['beforeSignal', 'x', 4, 'detail'],
      ['beforeHandler', 'x', 4, true],
      ['immediate', 4],
      ['afterHandler', 'x', 4, true, 40],
      ['afterSignal', 'x', 4, 'detail', 40],
    ]);
    log.length = 0;
    k.step();
    expect(log).toEqual([
      ['beforeHandler', 'x', 4, false],
      ['queued', 4],
      ['afterHandler', 'x', 4, false, 'q'],
    ]);
  });

  it('see every signal, including immediate-only ones (no hot-path bypass) and unhandled ones', () => {
    const { k, unhandled } = recorded();
    const log: unknown[][] = [];
    k.handle('fast', () => 1, { immediate: true });
    k.hook(loggingHooks(log));
    k.sig('fast', 'a');
    k.sig('ghost', 'b');
    expect(log.map((entry) => entry.slice(0, 2))).toEqual([
      ['beforeSignal', 'fast'],
      ['beforeHandler', 'fast'],
      ['afterHandler', 'fast'],
      ['afterSignal', 'fast'],
      ['beforeSignal', 'ghost'],
      ['afterSignal', 'ghost'],
    ]);
    expect(log.at(-1)).toEqual(['afterSignal', 'ghost', 'b', undefined, undefined]);
    expect(unhandled).toEqual([['ghost', 'b']]);
  });

  it('run in the order they were added, and partial hook objects are fine', () => {
    const { k } = recorded();
    const log: unknown[][] = [];
    k.handle('x', () => 'r', { immediate: true });
    k.hook(loggingHooks(log, 'A.'));
    k.hook({ afterSignal: (name) => log.push(['B.afterSignal', name]) });
    k.hook(loggingHooks(log, 'C.'));
    k.sig('x');
    expect(log.map((entry) => entry[0])).toEqual([
      'A.beforeSignal',
      'C.beforeSignal',
      'A.beforeHandler',
      'C.beforeHandler',
      'A.afterHandler',
      'C.afterHandler',
      'A.afterSignal',
      'B.afterSignal',
      'C.afterSignal',
    ]);
  });

  it('can be removed; removing twice is harmless and other hooks stay', () => {
    const { k } = recorded();
    const log: unknown[][] = [];
    k.handle('x', () => 'r', { immediate: true });
    const offA = k.hook(loggingHooks(log, 'A.'));
    k.hook({ beforeSignal: (name) => log.push(['B.beforeSignal', name]) });
    offA();
    offA();
    expect(k.sig('x')).toBe('r');
    expect(log).toEqual([['B.beforeSignal', 'x']]);
  });

  it('once all are removed, signals still work (back on the hot path)', () => {
    const { k } = recorded();
    const seen = vi.fn();
    k.handle('x', (v: number) => v + 1, { immediate: true });
    const off = k.hook({ beforeSignal: seen });
    expect(k.sig('x', 1)).toBe(2);
    off();
    expect(k.sig('x', 2)).toBe(3);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('still see afterSignal when a handler throws, but not its afterHandler', () => {
    const { k, errors } = recorded();
    const log: unknown[][] = [];
    k.handle(
      'boom',
      () => {
        throw new Error('nope');
      },
      { immediate: true },
    );
    k.hook(loggingHooks(log));
    expect(k.sig('boom', 1)).toBeUndefined();
    expect(log.map((entry) => entry[0])).toEqual(['beforeSignal', 'beforeHandler', 'afterSignal']);
    expect(errors).toHaveLength(1);
  });

  it('see signals sent through a channel', () => {
    const { k } = recorded();
    const log: unknown[][] = [];
    k.handle('ch', () => 'r', { immediate: true });
    k.hook(loggingHooks(log));
    k.channel('ch')(9, 'd');
    expect(log[0]).toEqual(['beforeSignal', 'ch', 9, 'd']);
    expect(log.at(-1)).toEqual(['afterSignal', 'ch', 9, 'd', 'r']);
  });
});

describe('errors', () => {
  const boom = new Error('boom');
  const thrower = () => {
    throw boom;
  };

  it('an immediate handler that throws goes to onError; sig returns undefined; the kernel keeps working', () => {
    const { k, errors } = recorded();
    k.handle('bad', thrower, { immediate: true });
    k.handle('good', () => 'fine', { immediate: true });
    expect(k.sig('bad', 1)).toBeUndefined();
    expect(errors).toEqual([[boom, 'bad', 1]]);
    expect(k.sig('good')).toBe('fine');
    expect(k.sig('bad', 2)).toBeUndefined();
    expect(errors).toHaveLength(2);
  });

  it('the same holds when hooks are installed (the non-hot path)', () => {
    const { k, errors } = recorded();
    k.hook({});
    k.handle('bad', thrower, { immediate: true });
    k.handle('good', () => 'fine', { immediate: true });
    expect(k.sig('bad', 1)).toBeUndefined();
    expect(errors).toEqual([[boom, 'bad', 1]]);
    expect(k.sig('good')).toBe('fine');
  });

  it('a queued handler that throws goes to onError; the rest of the generation and later steps run', () => {
    const { k, errors } = recorded();
    const ran: string[] = [];
    k.handle('q', thrower);
    k.handle('q', (v: number) => ran.push(`q-after:${v}`));
    k.handle('other', (v: number) => ran.push(`other:${v}`));
    k.sig('q', 1);
    k.sig('other', 2);
    expect(k.step()).toBe(2);
    expect(errors).toEqual([[boom, 'q', 1]]);
    expect(ran).toEqual(['q-after:1', 'other:2']);
    k.sig('q', 3);
    expect(k.drain()).toBe(1);
    expect(ran).toEqual(['q-after:1', 'other:2', 'q-after:3']);
    expect(errors).toHaveLength(2);
  });

  it('defaults onError to console.error', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const k = kernel();
    k.handle('bad', thrower, { immediate: true });
    expect(() => k.sig('bad')).not.toThrow();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0]).toContain('bad');
    expect(spy.mock.calls[0]).toContain(boom);
  });
});

describe('onUnhandled', () => {
  it('fires with name and value for a signal no handler takes', () => {
    const { k, unhandled } = recorded();
    expect(k.sig('nobody', 42)).toBeUndefined();
    expect(unhandled).toEqual([['nobody', 42]]);
    expect(k.pending).toBe(0);
  });

  it('does not fire when an immediate or a queued handler takes the signal', () => {
    const { k, unhandled } = recorded();
    k.handle('now', () => 1, { immediate: true });
    k.handle('later', () => 1);
    k.sig('now');
    k.sig('later');
    k.drain();
    expect(unhandled).toEqual([]);
  });

  it('fires again once the last handler is removed, also through a channel', () => {
    const { k, unhandled } = recorded();
    const offNow = k.handle('x', () => 1, { immediate: true });
    const offLater = k.handle('x', () => 1);
    offNow();
    k.sig('x', 'still queued');
    expect(unhandled).toEqual([]);
    offLater();
    k.channel('x')('gone');
    expect(unhandled).toEqual([['x', 'gone']]);
  });

  it('defaults to console.warn', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    kernel().sig('lost.signal');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]?.[0])).toContain('lost.signal');
  });
});

describe('handlers added and removed at run time', () => {
  it('the remover stops a queued handler; removing twice is harmless', () => {
    const { k } = recorded();
    const a = vi.fn();
    const b = vi.fn();
    const offA = k.handle('x', a);
    k.handle('x', b);
    k.sig('x');
    k.step();
    offA();
    offA();
    k.sig('x');
    k.step();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('the remover stops an immediate handler and frees the name for a new one', () => {
    const { k } = recorded();
    const off = k.handle('x', () => 'old', { immediate: true });
    off();
    expect(k.sig('x')).toBeUndefined();
    const offNew = k.handle('x', () => 'new', { immediate: true });
    off(); // a stale remover must not remove the newer handler
    expect(k.sig('x')).toBe('new');
    offNew();
    expect(k.sig('x')).toBeUndefined();
  });

  it('a handler added at run time takes later signals', () => {
    const { k } = recorded();
    const log: string[] = [];
    k.handle('x', (v: string) => {
      log.push(`first:${v}`);
      if (v === 'a') k.handle('x', (w: string) => log.push(`added:${w}`));
    });
    k.sig('x', 'a');
    k.sig('x', 'b');
    k.step();
    // not run for the signal being handled when it was added, but for the next one in the generation
    expect(log).toEqual(['first:a', 'first:b', 'added:b']);
  });

  it('removal during a step: the current signal finishes its handlers, later signals skip the removed one', () => {
    const { k } = recorded();
    const log: string[] = [];
    let offB = () => {};
    k.handle('x', (v: number) => {
      log.push(`a${v}`);
      if (v === 1) offB();
    });
    offB = k.handle('x', (v: number) => log.push(`b${v}`));
    k.sig('x', 1);
    k.sig('x', 2);
    k.step();
    expect(log).toEqual(['a1', 'b1', 'a2']);
  });

  it('a handler can remove itself during a step', () => {
    const { k } = recorded();
    const log: number[] = [];
    const off = k.handle('once', (v: number) => {
      log.push(v);
      off();
    });
    k.sig('once', 1);
    k.sig('once', 2);
    k.step();
    expect(log).toEqual([1]);
    k.sig('once', 3);
    k.step();
    expect(log).toEqual([1]);
  });

  it('removing handlers of another signal during a step keeps the queue consistent', () => {
    const { k } = recorded();
    const log: string[] = [];
    let offY = () => {};
    k.handle('x', () => (log.push('x'), offY()));
    offY = k.handle('y', () => log.push('y'));
    k.handle('z', () => log.push('z'));
    k.sig('x');
    k.sig('y');
    k.sig('z');
    expect(k.step()).toBe(3);
    expect(log).toEqual(['x', 'z']);
    expect(k.pending).toBe(0);
  });

  it('regression: each remover removes only its own registration of a function added twice', () => {
    const { k } = recorded();
    const handler = vi.fn();
    const offFirst = k.handle('x', handler);
    k.handle('x', handler);
    offFirst();
    k.sig('x');
    k.step();
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('HANDLER_EXISTS', () => {
  it('a second immediate handler for a name throws, and the first one stays', () => {
    const { k } = recorded();
    k.handle('x', () => 'first', { immediate: true });
    let caught: unknown;
    try {
      k.handle('x', () => 'second', { immediate: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KernelError);
    expect((caught as KernelError).code).toBe('HANDLER_EXISTS');
    expect((caught as KernelError).message).toContain('x');
    expect(k.sig('x')).toBe('first');
  });

  it('does not apply to queued handlers, nor across names', () => {
    const { k } = recorded();
    k.handle('x', () => 'now', { immediate: true });
    expect(() => k.handle('x', () => 1)).not.toThrow();
    expect(() => k.handle('x', () => 2)).not.toThrow();
    expect(() => k.handle('x', () => 3, { immediate: false })).not.toThrow();
    expect(() => k.handle('y', () => 'now', { immediate: true })).not.toThrow();
  });
});

describe('channel', () => {
  it('behaves like sig for its name: immediate result, queued run, handler args', () => {
    const { k } = recorded();
    const queued = vi.fn();
    k.handle('ch', (v: number, d: string, name: string) => `${name}:${v}:${d}`, {
      immediate: true,
    });
    k.handle('ch', queued);
    const send = k.channel('ch');
    expect(send(1, 'd')).toBe('ch:1:d');
    expect(k.sig('ch', 1, 'd')).toBe('ch:1:d');
    expect(k.pending).toBe(2);
    k.step();
    expect(queued).toHaveBeenCalledTimes(2);
    expect(queued.mock.calls[0]?.[0]).toBe(1);
    expect(queued.mock.calls[0]?.[2]).toBe('ch');
  });

  it('made before any handler exists, reaches handlers added later', () => {
    const { k, unhandled } = recorded();
    const send = k.channel('late');
    expect(send('early')).toBeUndefined();
    expect(unhandled).toEqual([['late', 'early']]);
    const off = k.handle('late', (v: string) => v.toUpperCase(), { immediate: true });
    expect(send('now')).toBe('NOW');
    off();
    expect(send('after')).toBeUndefined();
    expect(unhandled).toHaveLength(2);
  });

  it('sends handler errors to onError like sig', () => {
    const { k, errors } = recorded();
    const boom = new Error('x');
    k.handle(
      'ch',
      () => {
        throw boom;
      },
      { immediate: true },
    );
    expect(k.channel('ch')(5)).toBeUndefined();
    expect(errors).toEqual([[boom, 'ch', 5]]);
  });
});

describe('the kernel object', () => {
  it('is frozen', () => {
    const k = kernel();
    expect(Object.isFrozen(k)).toBe(true);
    expect(() => {
      (k as { sig: unknown }).sig = () => 'hijacked';
    }).toThrow(TypeError);
    expect(() => {
      (k as unknown as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error pending is readonly
      k.pending = 5;
    }).toThrow(TypeError);
    expect(k.pending).toBe(0);
  });

  it('kernels are independent of each other', () => {
    const { k: one } = recorded();
    const { k: two, unhandled } = recorded();
    one.handle('x', () => 'one', { immediate: true });
    expect(one.sig('x')).toBe('one');
    expect(two.sig('x')).toBeUndefined();
    expect(unhandled).toEqual([['x', undefined]]);
  });

  it('has the documented types', () => {
    const k = kernel();
    expectTypeOf(k).toEqualTypeOf<Kernel>();
    expectTypeOf(k.sig).returns.toEqualTypeOf<unknown>();
    expectTypeOf(k.handle).returns.toEqualTypeOf<() => void>();
    expectTypeOf<KernelError['code']>().toEqualTypeOf<
      'DRAIN_LIMIT' | 'HANDLER_EXISTS' | 'QUEUE_FULL'
    >();
    // handlers may declare their own parameter types
    k.handle(
      'typed',
      (n: number, d: { id: string }, name: string) => n + d.id.length + name.length,
    );
  });
});

describe('pending', () => {
  it('counts queued signals, not handlers, nor immediate-only or unhandled signals', () => {
    const { k } = recorded();
    k.handle('q', () => {});
    k.handle('q', () => {});
    k.handle('now', () => 1, { immediate: true });
    expect(k.pending).toBe(0);
    k.sig('q');
    expect(k.pending).toBe(1);
    k.sig('q');
    k.sig('now');
    k.sig('nobody');
    expect(k.pending).toBe(2);
    k.step();
    expect(k.pending).toBe(0);
  });

  it('counts signals emitted during a step for the next generation', () => {
    const { k } = recorded();
    const seen: number[] = [];
    k.handle('a', () => {
      seen.push(k.pending);
      k.sig('b');
      k.sig('b');
      seen.push(k.pending);
    });
    k.handle('b', () => {});
    k.sig('a');
    k.step();
    expect(seen).toEqual([0, 2]);
    expect(k.pending).toBe(2);
  });
});

describe('a signal with both an immediate and queued handlers', () => {
  it('returns the immediate result now and runs the queued handlers on step with the same value', () => {
    const { k } = recorded();
    const log: string[] = [];
    k.handle('both', (v: number) => (log.push(`now:${v}`), v * 2), { immediate: true });
    k.handle('both', (v: number) => log.push(`q1:${v}`));
    k.handle('both', (v: number) => log.push(`q2:${v}`));
    expect(k.sig('both', 3)).toBe(6);
    expect(log).toEqual(['now:3']);
    expect(k.pending).toBe(1);
    expect(k.step()).toBe(1);
    expect(log).toEqual(['now:3', 'q1:3', 'q2:3']);
  });

  it('queues the signal before its immediate handler runs, so what that handler emits comes after it', () => {
    const { k } = recorded();
    const log: string[] = [];
    k.handle('both', () => k.sig('next'), { immediate: true });
    k.handle('both', () => log.push('both'));
    k.handle('next', () => log.push('next'));
    k.sig('both');
    k.step();
    expect(log).toEqual(['both', 'next']);
  });

  it('a throwing immediate handler does not stop the queued ones', () => {
    const { k, errors } = recorded();
    const queued = vi.fn();
    k.handle(
      'both',
      () => {
        throw new Error('now');
      },
      { immediate: true },
    );
    k.handle('both', queued);
    expect(k.sig('both', 1)).toBeUndefined();
    k.step();
    expect(errors).toHaveLength(1);
    expect(queued).toHaveBeenCalledTimes(1);
  });
});

describe('property: queued signals are handled FIFO per generation', () => {
  const NAMES = ['a', 'b', 'c', 'd'] as const;
  type Name = (typeof NAMES)[number];
  type Op = { op: 'sig'; name: Name; hops: number } | { op: 'step' };
  interface Signal {
    name: Name;
    id: string;
    hops: number;
  }

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('sig' as const),
        name: fc.constantFrom(...NAMES),
        hops: fc.nat(3),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ op: 'step' as const }) },
  );
  // How many queued handlers each name has (0 = unhandled), and where each name relays to.
  const setupArb = fc.record({
    handlers: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    relay: fc.tuple(...NAMES.map(() => fc.constantFrom(...NAMES))),
  });

  it('matches a FIFO generation model, and drain leaves pending 0', () => {
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { maxLength: 60 }), (setup, ops) => {
        const { k, unhandled } = recorded();
        const handlerCount = (name: Name) => setup.handlers[NAMES.indexOf(name)] ?? 0;
        const relayOf = (name: Name) => setup.relay[NAMES.indexOf(name)] ?? name;
        const handled: string[] = [];
        let seq = 0;

        // Every handler records what it saw; the first handler of a name relays a signal with
        // hops left to the next name, so handlers emit during steps.
        for (const name of NAMES) {
          for (let h = 0; h < handlerCount(name); h++) {
            k.handle(name, (signal: Signal, _detail: unknown, got: string) => {
              handled.push(`${got}#${h}:${signal.id}`);
              if (h === 0 && signal.hops > 0) {
                const next = relayOf(name);
                k.sig(next, { name: next, id: `${signal.id}>`, hops: signal.hops - 1 });
              }
            });
          }
        }

        // The model: a queue of signals; a step takes the whole queue as one generation.
        let queue: Signal[] = [];
        const expected: string[] = [];
        let expectedUnhandled = 0;
        const modelSig = (signal: Signal) => {
          if (handlerCount(signal.name) === 0) expectedUnhandled++;
          else queue.push(signal);
        };
        const modelStep = () => {
          const generation = queue;
          queue = [];
          for (const signal of generation) {
            for (let h = 0; h < handlerCount(signal.name); h++) {
              expected.push(`${signal.name}#${h}:${signal.id}`);
            }
            if (signal.hops > 0) {
              const next = relayOf(signal.name);
              modelSig({ name: next, id: `${signal.id}>`, hops: signal.hops - 1 });
            }
          }
          return generation.length;
        };

        for (const op of ops) {
          if (op.op === 'sig') {
            const signal = { name: op.name, id: String(seq++), hops: op.hops };
            k.sig(op.name, signal);
            modelSig(signal);
          } else {
            expect(k.step()).toBe(modelStep());
          }
          expect(k.pending).toBe(queue.length);
          expect(handled).toEqual(expected);
        }

        let total = 0;
        while (queue.length > 0) total += modelStep();
        expect(k.drain()).toBe(total);
        expect(k.pending).toBe(0);
        expect(handled).toEqual(expected);
        expect(unhandled).toHaveLength(expectedUnhandled);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the kernel source', () => {
  it('stays small: under 130 non-blank, non-comment lines', () => {
    const source = readFileSync(new URL('../../src/kernel/kernel.ts', import.meta.url), 'utf8');
    const code = source
      .replace(/\/\*[\s\S]*?\*\//g, '') // block and JSDoc comments
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('//'));
    expect(code.length).toBeGreaterThan(50); // the stripping did not eat the file
    expect(code.length).toBeLessThan(130);
  });
});

describe('regressions', () => {
  it('regression: an onError that throws during step keeps the rest of the generation queued', () => {
    const ran: string[] = [];
    const k = kernel({
      onError: (e) => {
        throw e;
      },
    });
    k.handle('a', () => {
      throw new Error('a failed');
    });
    k.handle('b', () => ran.push('b'));
    k.sig('a');
    k.sig('b');
    expect(() => k.step()).toThrow('a failed');
    expect(k.pending).toBe(1);
    k.step();
    expect(ran).toEqual(['b']);
  });
});

describe('the queue arrays are reused across generations', () => {
  it('a reused (longer) queue array does not replay signals of an earlier generation', () => {
    const { k } = recorded();
    const seen: number[] = [];
    k.handle('n', (n: number) => seen.push(n));
    for (let n = 1; n <= 5; n++) k.sig('n', n);
    expect(k.step()).toBe(5);
    k.sig('n', 6);
    expect(k.step()).toBe(1);
    k.sig('n', 7);
    k.sig('n', 8);
    expect(k.drain()).toBe(2);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(k.pending).toBe(0);
  });

  it('a step called from inside a handler runs only the signals queued since the outer step began', () => {
    const { k } = recorded();
    const log: string[] = [];
    k.handle('outer', (id: string) => {
      log.push(`outer ${id}`);
      if (id === 'a') {
        k.sig('inner', 'x');
        expect(k.step()).toBe(1);
      }
    });
    k.handle('inner', (id: string) => log.push(`inner ${id}`));
    k.sig('outer', 'a');
    k.sig('outer', 'b');
    expect(k.step()).toBe(2);
    expect(log).toEqual(['outer a', 'inner x', 'outer b']);
    expect(k.pending).toBe(0);
  });

  it('an onError that throws keeps the rest of the generation ahead of what it emitted', () => {
    const ran: string[] = [];
    const k = kernel({
      onError: (e) => {
        throw e;
      },
    });
    k.handle('emit', () => k.sig('later'));
    k.handle('fail', () => {
      throw new Error('fail');
    });
    for (const name of ['later', 'rest']) k.handle(name, () => ran.push(name));
    k.sig('emit');
    k.sig('fail');
    k.sig('rest');
    expect(() => k.step()).toThrow('fail');
    expect(k.pending).toBe(2);
    expect(k.step()).toBe(2);
    expect(ran).toEqual(['rest', 'later']);
  });
});

describe('hooks and the direct (hookless) handler calls', () => {
  it('a hook added by a queued handler sees the runs that start after it, before and after in pairs', () => {
    const { k } = recorded();
    const log: unknown[][] = [];
    k.handle('q', (n: number) => {
      if (n === 1) k.hook(loggingHooks(log));
    });
    k.handle('q', () => 'second');
    k.sig('q', 1);
    k.sig('q', 2);
    k.step();
    expect(log).toEqual([
      ['beforeHandler', 'q', 1, false],
      ['afterHandler', 'q', 1, false, 'second'],
      ['beforeHandler', 'q', 2, false],
      ['afterHandler', 'q', 2, false, undefined],
      ['beforeHandler', 'q', 2, false],
      ['afterHandler', 'q', 2, false, 'second'],
    ]);
  });

  it('a hook removed by a queued handler no longer sees the handler runs after it', () => {
    const { k } = recorded();
    const log: unknown[][] = [];
    let remove = () => {};
    k.handle('q', (n: number) => {
      if (n === 1) remove();
    });
    k.sig('q', 1);
    k.sig('q', 2);
    remove = k.hook(loggingHooks(log));
    log.length = 0;
    k.step();
    expect(log).toEqual([['beforeHandler', 'q', 1, false]]);
    expect(k.hooked).toBe(false);
  });

  it('a throwing queued handler without hooks goes to onError and the next handler still runs', () => {
    const { k, errors } = recorded();
    const ran: number[] = [];
    k.handle('q', (n: number) => {
      if (n === 1) throw new Error('one');
    });
    k.handle('q', (n: number) => ran.push(n));
    k.sig('q', 1);
    k.sig('q', 2);
    expect(k.step()).toBe(2);
    expect(ran).toEqual([1, 2]);
    expect(errors.map(([e, name, value]) => [(e as Error).message, name, value])).toEqual([
      ['one', 'q', 1],
    ]);
  });
});

describe('pending and hooked', () => {
  it('are read-only and per kernel', () => {
    const one = kernel();
    const two = kernel();
    one.handle('q', () => {});
    one.sig('q');
    one.hook({});
    expect([one.pending, one.hooked, two.pending, two.hooked]).toEqual([1, true, 0, false]);
    expect('pending' in one && 'hooked' in one).toBe(true);
    expect(() => {
      // @ts-expect-error hooked is readonly
      one.hooked = false;
    }).toThrow(TypeError);
  });
});
