import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  fromWireError,
  toWireError,
  ExchangeError,
} from '../../src/exchange/errors.js';
import {
  formatWhy,
  isExchangeError,
  RemoteError,
  type Envelope,
  type Exchange,
} from '../../src/index.js';
import { handlerKnown, link, make, quiet, route, until } from './network.js';

/** Resolves once `ex.state[name]` deep-equals `expected` (checked at every change). */
function reaches(ex: Exchange, name: string, expected: unknown, timeout = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      off();
      const now = JSON.stringify(ex.state[name]);
      reject(new Error(`${ex.id}.${name} is ${now}, never ${JSON.stringify(expected)}`));
    }, timeout);
    const off = ex.watch(name, (value) => {
      if (done || !isDeepStrictEqual(value, expected)) return;
      done = true;
      clearTimeout(timer);
      resolve();
      queueMicrotask(() => off()); // `off` is assigned by then, even for the immediate call
    });
  });
}

/** The error `fn` throws (fails the test if it does not throw). */
function thrown(fn: () => unknown): ExchangeError {
  try {
    fn();
  } catch (e) {
    expect(isExchangeError(e)).toBe(true);
    return e as ExchangeError;
  }
  throw new Error('expected a throw');
}

/** Resolves with the next message `ex` observes on `pattern`. */
function nextMessage(ex: Exchange, pattern: string, timeout = 2000): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${pattern}`))), timeout);
    const off = ex.on(pattern, (msg) => {
      clearTimeout(timer);
      off();
      resolve(msg);
    });
  });
}

const hops = (trace: { ex: string }[]) => trace.map((h) => h.ex);

describe('state and ctx.set', () => {
  it('a handler sets state with ctx.set; the message is recorded as the cause', async () => {
    const b = make({
      id: 'b',
      state: { raw: 0, doubled: ($: { raw: number }) => $.raw * 2 },
      handlers: { 'raw.put': (msg, ctx) => ctx.set('raw', msg.value) },
    });
    const a = make({ id: 'a' });
    await link(a, b);
    const request = a.requestMessage('raw.put', 21);
    await request;
    expect(b.state.raw).toBe(21);
    expect(b.state.doubled).toBe(42);

    const raw = b.why('raw');
    expect(raw).toMatchObject({ exchange: 'b', name: 'raw', kind: 'static', value: 21 });
    expect(raw.transaction?.triggers).toEqual([{ name: 'raw', value: 21 }]);
    expect(raw.causes).toHaveLength(1);
    const cause = raw.causes[0];
    expect(cause.message).toMatchObject({ kind: 'req', name: 'raw.put', from: 'a', value: 21 });
    expect(hops(cause.trace)).toEqual(['a', 'b']);

    const doubled = b.why('doubled');
    expect(doubled).toMatchObject({ kind: 'computed', value: 42, dependsOn: ['raw'] });
    expect(doubled.transaction?.id).toBe(raw.transaction?.id);
    expect(doubled.causes.map((c) => [c.state, c.value, c.message?.name])).toEqual([
      ['raw', 21, 'raw.put'],
    ]);
    // Plain data: it survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(doubled))).toEqual(doubled);

    // A set outside any handler has no message.
    b.set('raw', 5);
    expect(b.state.doubled).toBe(10);
    expect(b.why('doubled').causes[0]).toMatchObject({ state: 'raw', value: 5, message: null });
    expect(formatWhy(b.why('doubled'))).toContain('by code outside any handler');
  });

  it('computeds recompute; why names the transaction that last changed the value', async () => {
    const ex = make({
      id: 'solo',
      state: {
        n: 1,
        label: 'x',
        parity: ($: { n: number }) => $.n % 2,
        summary: ($: { parity: number; label: string }) => `${$.label}:${$.parity}`,
      },
      handlers: {
        'n.put': (msg, ctx) => ctx.set('n', msg.value),
        'label.put': (msg, ctx) => ctx.set('label', msg.value),
      },
    });
    // Unchanged since boot: no transaction.
    expect(ex.why('summary')).toMatchObject({ value: 'x:1', transaction: null, causes: [] });
    expect(ex.why('summary').dependsOn.sort()).toEqual(['label', 'n']);

    const seen: unknown[] = [];
    const off = ex.watch('summary', (v) => seen.push(v));
    ex.send('n.put', 2);
    await reaches(ex, 'summary', 'x:0');
    const first = ex.why('summary');
    expect(first.causes.map((c) => [c.state, c.value, c.message?.name])).toEqual([
      ['n', 2, 'n.put'],
    ]);

    // n changes again but parity (and so summary) does not: why still names the first change.
    ex.send('n.put', 4);
    await reaches(ex, 'n', 4);
    expect(ex.why('summary').transaction?.id).toBe(first.transaction?.id);
    expect(ex.why('summary').causes[0].value).toBe(2);
    expect(ex.why('n').causes[0].value).toBe(4);

    // Only the statics a computed reads count as its causes.
    ex.send('label.put', 'y');
    await reaches(ex, 'summary', 'y:0');
    expect(ex.why('summary').causes.map((c) => c.state)).toEqual(['label']);
    expect(ex.why('parity').transaction?.id).toBe(first.transaction?.id);
    expect(seen).toEqual(['x:1', 'x:0', 'y:0']);
    off();
  });
});

describe('export and import', () => {
  it('an import follows the export live across one hop', async () => {
    const b = make({ id: 'b', state: { raw: 1 }, exports: ['raw'] });
    const c = make({
      id: 'c',
      state: { raw: 0, tenfold: ($: { raw: number }) => $.raw * 10 },
      imports: { raw: 'b.raw' },
    });
    await link(c, b);
    await reaches(c, 'tenfold', 10);
    for (const v of [2, 3, 4]) {
      b.set('raw', v);
      await reaches(c, 'tenfold', v * 10);
    }
    expect(c.why('raw').imported).toEqual({ exchange: 'b', name: 'raw' });
    // Objects arrive as copies, as they would over a network.
    b.set('raw', { deep: [1] });
    await reaches(c, 'raw', { deep: [1] });
    expect(c.state.raw).not.toBe(b.state.raw);
  });

  it('across a relay, with the value message traced exporter → relay → importer', async () => {
    const b = make({ id: 'b', state: { raw: 'first' }, exports: ['raw'] });
    const r = make({ id: 'r' });
    const c = make({ id: 'c', imports: { raw: { exchange: 'b', name: 'raw' } } });
    const d = make({ id: 'd', imports: { copy: 'b.raw' } });
    await link(c, r);
    await link(d, r);
    await link(r, b);
    await reaches(c, 'raw', 'first');
    await reaches(d, 'copy', 'first');
    b.set('raw', 'second');
    await reaches(c, 'raw', 'second');
    await reaches(d, 'copy', 'second');
    const cause = c.why('raw').causes[0];
    expect(cause.message?.name).toBe('$exchange.state.value.b.raw');
    expect(hops(cause.trace)).toEqual(['b', 'r', 'c']);
  });

  it('catches up after a reconnect when the exporter changed meanwhile', async () => {
    const b = make({ id: 'b', state: { raw: 1 }, exports: ['raw'] });
    const c = make({ id: 'c', imports: { raw: 'b.raw' } });
    const peer = await link(c, b);
    await reaches(c, 'raw', 1);
    peer.link.close('test: cut');
    await until(() => c.peer('b') === undefined, 'the link to close');
    b.set('raw', 2);
    b.set('raw', 3);
    expect(b.state.raw).toBe(3);
    await quiet([b, c]);
    expect(c.state.raw).toBe(1);
    await link(b, c);
    await reaches(c, 'raw', 3);
    b.set('raw', 4);
    await reaches(c, 'raw', 4);
  });

  it('catches up when a link in the middle of the path comes back', async () => {
    const b = make({ id: 'b', state: { raw: 'a' }, exports: ['raw'] });
    const r1 = make({ id: 'r1' });
    const r2 = make({ id: 'r2' });
    const c = make({ id: 'c', imports: { raw: 'b.raw' } });
    await link(c, r1);
    const middle = await link(r1, r2);
    await link(r2, b);
    await reaches(c, 'raw', 'a');
    middle.link.close('test: cut');
    await until(() => route(b, 'exchange', 'c') === undefined, 'b to lose its route to c');
    b.set('raw', 'changed while cut');
    expect(b.state.raw).toBe('changed while cut'); // reading runs the transaction: sent, and lost
    await quiet([b, r1, r2, c]);
    expect(c.state.raw).toBe('a');
    await link(r2, r1);
    await reaches(c, 'raw', 'changed while cut');
  });

  it('an import made before the export gets the value once it is exported', async () => {
    const b = make({ id: 'b', state: { raw: 'secret', shown: 7 } });
    const c = make({ id: 'c' });
    await link(c, b);
    const errors: unknown[] = [];
    c.on('$exchange.error', (m) => errors.push(m.value));
    c.import('shown', 'b.shown');
    // Not exported: nothing arrives (b answers UNKNOWN_STATE and remembers c is waiting).
    await c.request('$exchange.info', undefined, { to: 'b' });
    expect(c.state.shown).toBeUndefined();
    b.export('shown');
    await reaches(c, 'shown', 7);
    expect(errors).toEqual([]);
    // A name b does not have at all is reported.
    const reported = nextMessage(c, '$exchange.error');
    c.import('typo', 'b.nope');
    const report = (await reported).value as { state: string; error: { code: string; data: any } };
    expect(report.state).toBe('typo');
    expect(report.error.code).toBe('REMOTE');
    expect(report.error.data.remoteCode).toBe('UNKNOWN_STATE');
  });
});

describe('why across exchanges', () => {
  it('A sends → B sets raw → C imports it: C.why explains processedData back to A', async () => {
    const A = make({ id: 'A' });
    const B = make({
      id: 'B',
      state: { raw: -1 },
      exports: ['raw'],
      handlers: { 'sensor.reading': (msg, ctx) => ctx.set('raw', msg.value) },
    });
    const C = make({
      id: 'C',
      state: { raw: 0, processedData: ($: { raw: number }) => ({ celsius: $.raw / 10 }) },
      imports: { raw: 'B.raw' },
    });
    await link(A, B);
    await link(B, C);
    await until(handlerKnown([A], 'sensor.reading'), 'the route to the sensor handler');
    await reaches(C, 'raw', -1); // B answered C's fetch, so C is subscribed

    const original = A.send('sensor.reading', 215);
    await reaches(C, 'processedData', { celsius: 21.5 });

    const why = C.why('processedData');
    expect(why).toMatchObject({
      exchange: 'C',
      name: 'processedData',
      kind: 'computed',
      value: { celsius: 21.5 },
      dependsOn: ['raw'],
    });
    expect(why.transaction?.triggers).toEqual([{ name: 'raw', value: 215 }]);
    expect(why.causes).toHaveLength(1);
    const cause = why.causes[0];
    expect(cause).toMatchObject({
      state: 'raw',
      value: 215,
      imported: { exchange: 'B', name: 'raw' },
    });
    // The state message, sent by B because of A's message.
    expect(cause.message).toMatchObject({
      name: '$exchange.state.value.B.raw',
      from: 'B',
      to: 'C',
      cause: original.id,
    });
    expect(hops(cause.trace)).toEqual(['A', 'B', 'C']);
    // The chain ends at A's original message, as B saw it.
    expect(cause.chain.map((e) => [e.name, e.from])).toEqual([
      ['$exchange.state.value.B.raw', 'B'],
      ['sensor.reading', 'A'],
    ]);
    const first = cause.chain[cause.chain.length - 1];
    expect(first).toMatchObject({ id: original.id, value: 215, kind: 'msg' });
    expect(hops(first.trace)).toEqual(['A', 'B']);

    const text = formatWhy(why);
    expect(text).toContain('processedData = {"celsius":21.5} on C (computed, from raw)');
    expect(text).toContain('triggered by raw = 215');
    expect(text).toContain('trace: A → B → C');
    expect(text).toContain('chain: $exchange.state.value.B.raw (B) ← sensor.reading (A)');
    expect(text).toContain(`began at A: msg sensor.reading 215 from A (id ${original.id})`);
  });

  it('the chain continues through a re-export: B → C (computed, exported) → D', async () => {
    const B = make({
      id: 'B',
      state: { raw: 1 },
      exports: ['raw'],
      handlers: { 'raw.put': (msg, ctx) => ctx.set('raw', msg.value) },
    });
    const C = make({
      id: 'C',
      state: { raw: 0, doubled: ($: { raw: number }) => $.raw * 2 },
      imports: { raw: 'B.raw' },
      exports: ['doubled'],
    });
    const D = make({ id: 'D', imports: { value: 'C.doubled' } });
    await link(B, C);
    await link(C, D);
    await reaches(D, 'value', 2); // (0 would not show: auto ignores undefined → 0)
    const put = D.requestMessage('raw.put', 8);
    await reaches(D, 'value', 16);
    const cause = D.why('value').causes[0];
    expect(hops(cause.trace)).toEqual(['D', 'C', 'B', 'C', 'D']);
    expect(cause.chain.map((e) => [e.name, e.from])).toEqual([
      ['$exchange.state.value.C.doubled', 'C'],
      ['$exchange.state.value.B.raw', 'B'],
      ['raw.put', 'D'],
    ]);
    await put;
  });
});

describe('typed errors', () => {
  it('unknown names are UNKNOWN_STATE', () => {
    const ex = make({ id: 'e', state: { a: 1 } });
    for (const call of [
      () => ex.why('nope'),
      () => ex.set('nope', 1),
      () => ex.watch('nope', () => {}),
      () => ex.export('nope'),
    ]) {
      const e = thrown(call);
      expect(e.code).toBe('UNKNOWN_STATE');
      expect(e.message).toBe("exchange e has no state named 'nope'");
      expect(e.data).toEqual({ exchange: 'e', name: 'nope' });
    }
    // An exchange without state has no names either.
    expect(thrown(() => make({ id: 'bare' }).why('a')).code).toBe('UNKNOWN_STATE');
  });

  it('computed, imported and view writes are READ_ONLY_STATE', async () => {
    const ex = make({
      id: 'e',
      state: { a: 1, twice: ($: { a: number }) => $.a * 2 },
      imports: { far: 'other.x' },
      handlers: { 'twice.put': (msg, ctx) => ctx.set('twice', msg.value) },
    });
    const cases: [() => unknown, string][] = [
      [() => ex.set('twice', 3), "'twice' is computed from other state: set what it reads"],
      [() => ex.set('far', 3), "'far' is imported from other.x: change it there"],
      [
        () => ex.import('twice', 'other.y'),
        "'twice' is computed: only a static can follow an import",
      ],
      [() => ex.import('far', 'other.z'), "'far' is already imported from other.x"],
      [
        () => ((ex.state as Record<string, unknown>).a = 2),
        "ex.state is read-only: change 'a' with ctx.set or ex.set",
      ],
      [
        () => delete (ex.state as Record<string, unknown>).a,
        "ex.state is read-only: change 'a' with ctx.set or ex.set",
      ],
    ];
    for (const [call, message] of cases) {
      const e = thrown(call);
      expect([e.code, e.message]).toEqual(['READ_ONLY_STATE', message]);
    }
    expect(ex.state.a).toBe(1);
    // ctx.set on a computed: the handler's error reaches the requester.
    const e = await ex.request('twice.put', 5).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RemoteError);
    expect((e as RemoteError).remoteCode).toBe('READ_ONLY_STATE');
  });

  it('a computed function that calls set is refused (and auto stops, as for any write)', () => {
    const fatal: unknown[] = [];
    const box: { ex?: Exchange } = {};
    const ex = make({
      id: 'e',
      state: {
        a: 0,
        other: 0,
        sneaky: ($: { a: number }) => {
          if ($.a > 0) box.ex!.set('other', $.a);
          return $.a;
        },
        '#fatal': (event: { msg: unknown }) => fatal.push(event.msg),
      },
    });
    box.ex = ex;
    ex.set('a', 1);
    ex.state.sneaky; // flush: sneaky runs and its set throws
    expect(fatal).toHaveLength(1);
    const { e } = fatal[0] as { msg: string; e: ExchangeError };
    expect(e.code).toBe('READ_ONLY_STATE');
    expect(e.message).toBe(
      "computed functions may not change state (set 'other' from a handler, with ctx.set)",
    );
  });

  it('malformed import sources and unusable names are INVALID_NAME', () => {
    const ex = make({ id: 'e', state: { 'has space': 1 } });
    expect(thrown(() => ex.import('x', 'nodot')).code).toBe('INVALID_NAME');
    expect(thrown(() => ex.import('x', 'other.')).code).toBe('INVALID_NAME');
    expect(thrown(() => ex.import('x', { exchange: 'a b', name: 'y' })).code).toBe('INVALID_NAME');
    expect(thrown(() => ex.import('x', 'other.bad name')).code).toBe('INVALID_NAME');
    expect(thrown(() => ex.export('has space')).code).toBe('INVALID_NAME');
    expect(() => make({ id: 'f', imports: { x: 'nodot' } })).toThrow(/<exchange>.<state>/);
  });

  it('an exported value that is not plain data is reported as BAD_MESSAGE', async () => {
    const b = make({ id: 'b', state: { v: 1 }, exports: ['v'] });
    const c = make({ id: 'c', imports: { v: 'b.v' } });
    await link(c, b);
    await reaches(c, 'v', 1);
    const reported = nextMessage(b, '$exchange.error');
    b.set('v', () => 'a function cannot travel');
    b.state.v; // flush
    const report = (await reported).value as { state: string; error: { code: string } };
    expect(report).toMatchObject({ state: 'v', error: { code: 'BAD_MESSAGE' } });
    expect(c.state.v).toBe(1);
  });

  it('the new codes are listed and survive the wire', () => {
    for (const code of ['UNKNOWN_STATE', 'READ_ONLY_STATE'] as const) {
      expect(ERROR_CODES).toContain(code);
      const back = fromWireError(
        toWireError(new ExchangeError(code, 'm', { data: { name: 'x' } })),
      );
      expect([back.code, back.message, back.data]).toEqual([code, 'm', { name: 'x' }]);
    }
  });
});

describe('removers', () => {
  it('watch, export and import removers stop what they started, once', async () => {
    const b = make({ id: 'b', state: { raw: 1, other: 1 } });
    const c = make({ id: 'c' });
    await link(c, b);
    const barrier = () => c.request('$exchange.info', undefined, { to: 'b' });

    const seen: unknown[] = [];
    const unwatch = c.import('raw', 'b.raw');
    const stopExport = b.export('raw');
    const again = b.export('raw');
    await reaches(c, 'raw', 1);
    const stopWatching = c.watch('raw', (v) => seen.push(v));
    b.set('raw', 2);
    await reaches(c, 'raw', 2);
    stopWatching();
    stopWatching();
    b.set('raw', 3);
    await reaches(c, 'raw', 3);
    expect(seen).toEqual([1, 2]);

    // Two exports: the name stays exported until both are removed.
    stopExport();
    stopExport();
    expect(b.why('raw').exported).toBe(true);
    again();
    expect(b.why('raw').exported).toBe(false);
    b.set('raw', 4);
    b.state.raw;
    await barrier(); // b sent anything it was going to send to c before this reply
    expect(c.state.raw).toBe(3);

    // Exported again, then the import removed: c keeps its value and owns the name again.
    b.export('raw');
    await reaches(c, 'raw', 4);
    const received = () =>
      c.log.query({ pattern: '$exchange.state.value.b.raw', direction: 'in' }).length;
    unwatch();
    unwatch();
    await barrier(); // the drop reached b before this reply
    const before = received();
    b.set('raw', 5);
    b.state.raw;
    await barrier();
    expect(received()).toBe(before);
    expect(c.state.raw).toBe(4);
    expect(c.why('raw').imported).toBeUndefined();
    c.set('raw', 'mine');
    expect(c.state.raw).toBe('mine');
  });

  it('the state view reads like an object', () => {
    const ex = make({ id: 'e', state: { a: 1, b: ($: { a: number }) => $.a + 1 } });
    expect(Object.keys(ex.state)).toEqual(['a', 'b']);
    expect({ ...ex.state }).toEqual({ a: 1, b: 2 });
    expect('a' in ex.state).toBe(true);
    expect('zzz' in ex.state).toBe(false);
    expect(JSON.stringify(ex.state)).toBe('{"a":1,"b":2}');
  });
});
