/**
 * Every state operation is a kernel signal (docs/auto.md). The engine calls its handlers directly
 * only while nobody can observe them (a private kernel with no hook); these tests pin that every
 * operation still reaches the kernel the moment someone listens, and that the direct path behaves
 * exactly like the signal path (results, order, logs and the error route).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { kernel } from '../../src/kernel/index.js';
import { auto, flush, lastTrace, onTransaction } from '../../src/auto/index.js';
import { engineOf } from '../../src/auto/auto.js';
import { clearLogs, logLines, silenceConsole } from './harness.js';

silenceConsole();
beforeEach(clearLogs);

const SIGNALS = [
  'run',
  'read',
  'get',
  'set',
  'circle',
  'txn',
  'resolve',
  'notify',
  'fatal',
  'flush',
];
const nameOf = (v: unknown) => (v as { name?: string } | undefined)?.name ?? '';

/** A graph that exercises every signal: a write, a transaction, a lazy read, a notify, a flush. */
function exercise($: any): unknown[] {
  const out: unknown[] = [];
  $['#'].total.subscribe((v: unknown) => out.push(['total', v]));
  $.price = 3;
  out.push($.total); // flushes the auto-batch
  $.qty = 4;
  flush($);
  out.push($.total, $._.deps, { ...$._.value });
  $.missing_read = 1; // an unknown outside key: a plain property, no signal
  return out;
}
const graph = () => ({
  price: 1,
  qty: 2,
  total: (_: { sub: number }) => _.sub, // reads `sub` before it was evaluated: a lazy run
  sub: (_: { price: number; qty: number }) => _.price * _.qty,
});

describe('observability: hooks and handlers see every operation', () => {
  it('queued handlers on a shared kernel receive every signal, in order', () => {
    const k = kernel();
    const seen: string[] = [];
    for (const s of SIGNALS)
      k.handle(
        `auto.${s}`,
        (v, d) => void seen.push(`${s}:${nameOf(v)}${d && nameOf(d) ? `<${nameOf(d)}` : ''}`),
      );
    const $ = auto(graph(), { kernel: k, max_calls_per_second: 0 });
    exercise($);
    k.drain();
    expect(seen.slice(0, 7)).toEqual([
      'run:total',
      'circle:total',
      'run:sub', // lazy: `total` reads `sub` first
      'circle:sub',
      'read:price<sub',
      'read:qty<sub',
      'read:sub<total',
    ]);
    for (const s of ['set', 'txn', 'notify', 'get', 'flush']) {
      expect(seen.some((e) => e.startsWith(`${s}:`))).toBe(true);
    }
  });

  it('a private kernel behaves the same with and without a hook (values, deps, traces, logs)', () => {
    const plain = auto(graph(), { max_calls_per_second: 0, report_lag: -1 });
    const plainOut = exercise(plain);
    const plainLogs = logLines();
    clearLogs();
    const hooked = auto(graph(), { max_calls_per_second: 0, report_lag: -1 });
    const traces: unknown[] = [];
    const stop = onTransaction(hooked, (t) => traces.push(t.triggers.map((x) => x.name)));
    const hookedOut = exercise(hooked);
    stop();
    expect(hookedOut).toEqual(plainOut);
    expect(logLines().map((l) => l.replace(/\d+ ms/, 'N ms'))).toEqual(
      plainLogs.map((l) => l.replace(/\d+ ms/, 'N ms')),
    );
    expect(traces).toEqual([['price'], ['qty']]);
    expect(lastTrace(plain)).toMatchObject({ id: 2, triggers: [{ name: 'qty', value: 4 }] });
    expect(lastTrace(plain)?.updates).toEqual({ sub: 12, total: 12 });
  });

  it('a hook installed on a private kernel sees every operation from then on, none after removal', () => {
    const $ = auto(graph(), { auto_batch: false, max_calls_per_second: 0 });
    // onTransaction is the way to hook a private kernel; it observes every signal, not only txn.
    const names: string[] = [];
    const stop = onTransaction($, () => {});
    // The same door onTransaction uses (a private kernel has no other).
    const unhook = engineOf($).hook({ beforeSignal: (name) => void names.push(name) });
    $.price = 5;
    expect($.total).toBe(10);
    expect(names).toEqual([
      'auto.set',
      'auto.txn',
      'auto.run',
      'auto.circle',
      'auto.read',
      'auto.read',
      'auto.run',
      'auto.circle',
      'auto.read',
      'auto.get',
    ]);
    unhook();
    stop();
    names.length = 0;
    $.price = 6;
    expect($.total).toBe(12);
    expect(names).toEqual([]);
  });

  it('a throwing subscriber or trace callback takes the kernel error route on the direct path too', () => {
    const $ = auto(
      { a: 1, b: (_: { a: number }) => _.a + 1 },
      {
        auto_batch: false,
        max_calls_per_second: 0,
        trace: (t) => {
          if (t.id === 2) throw new Error('trace boom');
        },
      },
    );
    let calls = 0;
    $['#'].b.subscribe(() => {
      if (calls++ > 0) throw new Error('boom');
    });
    $.a = 5;
    expect($.b).toBe(6);
    $.a = 6;
    expect($.b).toBe(7);
    const errors = logLines().filter((l) => l.includes('error in'));
    expect(errors[0]).toContain('error in auto.notify');
    expect(errors.some((l) => l.includes('error in auto.txn') && l.includes('trace boom'))).toBe(
      true,
    );
  });
});

describe('report_lag', () => {
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };

  it('logs a slow evaluation, with its name, among the first 64 of a synchronous run', () => {
    let slow = false;
    const $ = auto(
      { a: 1, f: (_: { a: number }) => (slow && busy(30), _.a) },
      { auto_batch: false, max_calls_per_second: 0, report_lag: 10 },
    );
    expect(logLines().filter((l) => l.includes('took'))).toEqual([]);
    slow = true;
    $.a = 2;
    expect(logLines().filter((l) => l.includes('f took'))).toHaveLength(1);
  });

  it('logs a slow evaluation in a later synchronous run after thousands of fast ones', async () => {
    let slow = false;
    const $ = auto(
      { a: 1, f: (_: { a: number }) => (slow && busy(30), _.a) },
      { auto_batch: false, max_calls_per_second: 0, report_lag: 10 },
    );
    for (let i = 2; i < 3000; i++) $.a = i; // windows grow: one clock read per 256 evaluations
    await Promise.resolve(); // a new synchronous run starts exact again
    slow = true;
    $.a = 1;
    expect(logLines().filter((l) => l.includes('f took'))).toHaveLength(1);
  });

  it('logs nothing for fast evaluations however many run', () => {
    const $ = auto(
      { a: 1, f: (_: { a: number }) => _.a * 2 },
      { auto_batch: false, max_calls_per_second: 0 },
    );
    for (let i = 2; i < 2000; i++) $.a = i;
    expect($.f).toBe(3998);
    expect(logLines().filter((l) => l.includes('took'))).toEqual([]);
  });
});
