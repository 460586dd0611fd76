// The message log's byte budget: eviction by estimated bytes, values too large to keep left out
// of their entry with a `valueOmitted` marker, and the same seen from an exchange and over a link.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/exchange/envelope.js';
import {
  DEFAULT_LOG_MAX_BYTES,
  MIN_LOG_MAX_BYTES,
  MessageLog,
} from '../../src/exchange/message-log.js';
import { link, make, until } from './network.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Env {
  name: string;
  id?: string;
  n: number;
  value?: unknown;
  headers?: Record<string, string>;
}

const ns = (log: MessageLog<Env>) => [...log].map((e) => e.envelope.n);

/** `{ next: { next: … } }`, `depth` levels, built without recursion. */
function chain(depth: number): object {
  let node: object = { end: true };
  for (let i = 0; i < depth; i++) node = { next: node };
  return node;
}

describe('MessageLog byte budget', () => {
  it('defaults to 16 MiB, and a value may take a sixteenth of it', () => {
    expect(DEFAULT_LOG_MAX_BYTES).toBe(16 * MiB);
    const log = new MessageLog();
    expect([log.maxBytes, log.maxValueBytes, log.bytes]).toEqual([16 * MiB, MiB, 0]);
  });

  it('evicts the oldest entries to stay within maxBytes, and counts them in dropped', () => {
    const log = new MessageLog<Env>({ capacity: 1000, maxBytes: 64 * KiB });
    for (let n = 0; n < 100; n++)
      log.push({ direction: 'in', envelope: { name: 'a', n, value: 'x'.repeat(3000) } });
    expect(log.size).toBeLessThan(100);
    expect(log.size).toBeGreaterThan(10); // ~3 KiB each: about 19 fit
    expect(log.bytes).toBeLessThanOrEqual(64 * KiB);
    expect(log.dropped).toBe(100 - log.size);
    // The newest remain, in order, each with its value.
    expect(ns(log)).toEqual(Array.from({ length: log.size }, (_, i) => 100 - log.size + i));
    expect(
      [...log].every((e) => e.valueOmitted === undefined && e.envelope.value !== undefined),
    ).toBe(true);
  });

  it('one large entry evicts as many small ones as it needs, oldest first', () => {
    const log = new MessageLog<Env>({ capacity: 1000, maxBytes: 64 * KiB });
    for (let n = 0; n < 240; n++) log.push({ direction: 'in', envelope: { name: 'a', n } });
    expect([log.size, log.dropped]).toEqual([240, 0]); // nearly full: about 260 bytes each
    const before = log.bytes;
    log.push({ direction: 'in', envelope: { name: 'big', n: 240, value: 'y'.repeat(3 * KiB) } });
    log.push({ direction: 'in', envelope: { name: 'big', n: 241, value: 'y'.repeat(3 * KiB) } });
    log.push({ direction: 'in', envelope: { name: 'big', n: 242, value: 'y'.repeat(3 * KiB) } });
    expect(log.bytes).toBeLessThanOrEqual(64 * KiB);
    expect(log.bytes).toBeGreaterThan(before);
    expect(log.dropped).toBeGreaterThan(0);
    expect(ns(log)[0]).toBe(log.dropped); // exactly the oldest went
    expect(ns(log).slice(-3)).toEqual([240, 241, 242]);
  });

  it('counts are still a bound: capacity evicts before bytes do for small entries', () => {
    const log = new MessageLog<Env>({ capacity: 3 });
    for (let n = 0; n < 5; n++) log.push({ direction: 'in', envelope: { name: 'a', n } });
    expect([ns(log), log.dropped]).toEqual([[2, 3, 4], 2]);
  });

  it('logs a 5 MiB string with its value left out, marked, and the original untouched', () => {
    const log = new MessageLog<Env>();
    const value = 'x'.repeat(5 * MiB);
    const envelope: Env = { name: 'files.put', id: 'm1', n: 7, value };
    const entry = log.push({ direction: 'in', peer: 'p', envelope });
    expect(entry.valueOmitted).toBeGreaterThanOrEqual(5 * MiB);
    expect(entry.envelope).not.toBe(envelope);
    expect(entry.envelope).toEqual({ name: 'files.put', id: 'm1', n: 7, value: undefined });
    expect(envelope.value).toBe(value);
    expect(log.bytes).toBeLessThan(KiB);
    // Read back the same way by query, iteration and findEnvelope.
    expect(log.query()[0].valueOmitted).toBe(entry.valueOmitted);
    expect([...log][0].envelope.value).toBeUndefined();
    expect(log.findEnvelope((e) => e.id === 'm1')?.value).toBeUndefined();
  });

  it('logs a large nested object with its value left out', () => {
    const log = new MessageLog<Env>();
    const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, text: 'r'.repeat(10 * KiB) }));
    const entry = log.push({
      direction: 'out',
      envelope: { name: 'report', n: 1, value: { rows } },
    });
    expect(entry.valueOmitted).toBeGreaterThan(log.maxValueBytes);
    expect(entry.envelope.value).toBeUndefined();
  });

  it('keeps a value up to the limit by reference, unmarked', () => {
    const log = new MessageLog<Env>({ maxBytes: 64 * KiB }); // values up to 4 KiB
    const envelope = { name: 'a', n: 1, value: { text: 'k'.repeat(3 * KiB) } };
    const entry = log.push({ direction: 'in', envelope });
    expect(entry.envelope).toBe(envelope);
    expect('valueOmitted' in entry).toBe(false);
    const over = log.push({
      direction: 'in',
      envelope: { name: 'a', n: 2, value: 'k'.repeat(5 * KiB) },
    });
    expect(over.valueOmitted).toBeGreaterThan(4 * KiB);
  });

  it('leaves out a value too deep, too wide or cyclic to measure, at once', () => {
    const log = new MessageLog<Env>();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const values = [chain(200_000), new Array(10_000_000).fill(0), cyclic];
    for (const [n, value] of values.entries())
      log.push({ direction: 'in', envelope: { name: 'v', n, value } });
    const entries = [...log];
    expect(entries.map((e) => e.envelope.value)).toEqual([undefined, undefined, undefined]);
    expect(entries.every((e) => e.valueOmitted! > 0)).toBe(true);
    expect(entries[1].valueOmitted).toBeGreaterThanOrEqual(80_000_000); // 8 bytes a slot at least
  });

  it('a message logged again under its id (in, then out) costs the same each time', () => {
    const log = new MessageLog<Env>({ maxBytes: 64 * KiB });
    const envelope = { name: 'relay', id: 'r1', n: 0, value: { text: 'q'.repeat(2 * KiB) } };
    log.push({ direction: 'in', envelope });
    const once = log.bytes;
    log.push({ direction: 'out', envelope });
    expect(log.bytes).toBe(2 * once);
  });

  it('a different, large value under an id seen before is still measured and left out', () => {
    const log = new MessageLog<Env>({ maxBytes: 64 * KiB });
    log.push({ direction: 'in', envelope: { name: 'a', id: 'same', n: 0, value: { small: 1 } } });
    const big = { name: 'a', id: 'same', n: 1, value: { large: 'b'.repeat(10 * KiB) } };
    expect(log.push({ direction: 'in', envelope: big }).valueOmitted).toBeGreaterThan(10 * KiB);
  });

  it('keeps the newest entry even when it alone is over the budget (its headers are kept)', () => {
    const log = new MessageLog<Env>({ maxBytes: MIN_LOG_MAX_BYTES });
    log.push({ direction: 'in', envelope: { name: 'a', n: 0 } });
    const headers = { note: 'h'.repeat(4 * KiB) };
    log.push({ direction: 'in', envelope: { name: 'a', n: 1, headers } });
    expect([ns(log), log.dropped]).toEqual([[1], 1]);
    expect(log.bytes).toBeGreaterThan(4 * KiB);
    log.push({ direction: 'in', envelope: { name: 'a', n: 2 } });
    expect([ns(log), log.dropped, log.bytes < MIN_LOG_MAX_BYTES]).toEqual([[2], 2, true]);
  });

  it('clear resets the bytes too', () => {
    const log = new MessageLog<Env>();
    log.push({ direction: 'in', envelope: { name: 'a', n: 0, value: 'x'.repeat(KiB) } });
    log.clear();
    expect([log.bytes, log.size]).toEqual([0, 0]);
  });

  it.each([0, -1, 1023, 1.5, NaN, Infinity])('rejects maxBytes %s', (maxBytes) => {
    expect(() => new MessageLog({ maxBytes })).toThrow(RangeError);
  });
});

describe('an exchange with logMaxBytes', () => {
  it('validates logMaxBytes and passes it to its log', () => {
    expect(() => make({ id: 'bad', logMaxBytes: 100 })).toThrow(/maxBytes must be an integer/);
    expect(() => make({ id: 'bad2', logMaxBytes: 2048.5 })).toThrow(RangeError);
    expect(make({ id: 'ok', logMaxBytes: 2 * MiB }).log.maxBytes).toBe(2 * MiB);
    expect(make({ id: 'default' }).log.maxBytes).toBe(16 * MiB);
  });

  it('delivers a huge value whole while its log keeps only a marker', async () => {
    const a = make({ id: 'big-a' });
    const b = make({ id: 'big-b' });
    let got: unknown;
    b.on('blob', (m) => (got = m.value));
    await link(a, b);
    await until(() => a.describe().routes.some((r) => r.pattern === 'blob'), 'route');
    const value = 'z'.repeat(5 * MiB);
    const sent = a.send('blob', value);
    await until(() => got !== undefined, 'delivery');
    expect(got).toBe(value);
    expect(sent.value).toBe(value);
    for (const ex of [a, b]) {
      const [entry] = ex.log.query({ pattern: 'blob' });
      expect(entry.valueOmitted).toBeGreaterThanOrEqual(5 * MiB);
      expect(entry.envelope.value).toBeUndefined();
      expect(entry.envelope.id).toBe(sent.id);
    }
  });

  it('$exchange.log over a link answers with the marker', async () => {
    const client = make({ id: 'log-client' });
    const server = make({ id: 'log-server' });
    server.on('data.>', () => {});
    await link(client, server);
    await until(() => client.describe().routes.some((r) => r.pattern === 'data.>'), 'route');
    client.send('data.small', { n: 1 });
    client.send('data.huge', { rows: Array.from({ length: 5000 }, (_, i) => i) });
    await until(() => server.log.query({ pattern: 'data.>' }).length === 2, 'logged');
    const entries = await client.request<{ envelope: Envelope; valueOmitted?: number }[]>(
      '$exchange.log',
      { pattern: 'data.>' },
      { to: 'log-server' },
    );
    expect(entries.map((e) => [e.envelope.name, e.envelope.value, e.valueOmitted])).toEqual([
      ['data.small', { n: 1 }, undefined],
      ['data.huge', undefined, expect.any(Number)],
    ]);
    expect(entries[1].valueOmitted).toBeGreaterThanOrEqual(5000 * 8);
  });

  it('keeps no values of $exchange.log answers (copies of the log), at either end', async () => {
    const client = make({ id: 'ask' });
    const server = make({ id: 'answer' });
    server.on('data.>', () => {});
    await link(client, server);
    await until(() => client.describe().routes.some((r) => r.pattern === 'data.>'), 'route');
    client.send('data.small', { n: 1 });
    await until(() => server.log.query({ pattern: 'data.>' }).length === 1, 'logged');
    for (let i = 0; i < 3; i++) {
      const entries = await client.request<unknown[]>(
        '$exchange.log',
        { limit: 5 },
        { to: 'answer' },
      );
      expect(entries.length).toBeGreaterThan(0); // the answer itself carries its entries
    }
    for (const ex of [client, server]) {
      const answers = ex.log
        .query({ pattern: '$exchange.log' })
        .filter((e) => e.envelope.kind === 'rep');
      expect(answers).toHaveLength(3);
      expect(answers.every((e) => e.envelope.value === undefined && e.valueOmitted! > 0)).toBe(
        true,
      );
      // The questions keep theirs.
      const questions = ex.log
        .query({ pattern: '$exchange.log' })
        .filter((e) => e.envelope.kind === 'req');
      expect(questions.map((e) => e.envelope.value)).toEqual([
        { limit: 5 },
        { limit: 5 },
        { limit: 5 },
      ]);
    }
  });

  it('a relay carrying large values stays within its budget and counts what it evicted', async () => {
    const [a, hub, c] = [
      make({ id: 'r-a' }),
      make({ id: 'r-hub', logMaxBytes: 4 * MiB }),
      make({ id: 'r-c' }),
    ];
    let got = 0;
    c.on('chunk', (m) => {
      if ((m.value as string).length === 200 * KiB) got++;
    });
    await link(a, hub);
    await link(hub, c);
    await until(() => a.describe().routes.some((r) => r.pattern === 'chunk'), 'route');
    for (let i = 0; i < 40; i++) a.send('chunk', String(i % 10).repeat(200 * KiB));
    await until(() => got === 40, 'delivery');
    const chunks = hub.log.query({ pattern: 'chunk' });
    expect(hub.log.bytes).toBeLessThanOrEqual(4 * MiB);
    expect(hub.log.dropped).toBeGreaterThan(0);
    // Each is logged twice (in from a, out to c), values kept: 200 KiB is under 4 MiB / 16.
    expect(chunks.length).toBeLessThan(40);
    expect(chunks.every((e) => e.valueOmitted === undefined)).toBe(true);
  });
});
