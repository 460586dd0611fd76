import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { InvalidNameError } from '../../src/exchange/errors.js';
import { DEFAULT_LOG_CAPACITY, MessageLog } from '../../src/exchange/message-log.js';
import type { LogEntry } from '../../src/exchange/message-log.js';

interface Env {
  name: string;
  n: number;
}

/** A log of `count` entries: names cycle through `names`, `at` = 1000 + i, peers alternate. */
function filled(count: number, capacity: number, names = ['db.query', 'db.insert', 'ui.click']) {
  const log = new MessageLog<Env>({ capacity });
  for (let i = 0; i < count; i++) {
    log.push({
      direction: i % 2 === 0 ? 'in' : 'out',
      at: 1000 + i,
      peer: i % 3 === 0 ? undefined : `p${i % 3}`,
      envelope: { name: names[i % names.length], n: i },
    });
  }
  return log;
}

const ns = (entries: Iterable<LogEntry<Env>>) => [...entries].map((e) => e.envelope.n);

describe('MessageLog bounds', () => {
  it('defaults to 1000 entries', () => {
    expect(DEFAULT_LOG_CAPACITY).toBe(1000);
    const log = filled(1001, DEFAULT_LOG_CAPACITY);
    expect(new MessageLog().capacity).toBe(1000);
    expect(log.size).toBe(1000);
    expect(log.dropped).toBe(1);
  });

  it('holds up to capacity, then overwrites the oldest and counts it', () => {
    const log = filled(3, 5);
    expect([log.size, log.dropped]).toEqual([3, 0]);
    expect(ns(log)).toEqual([0, 1, 2]);
    for (let i = 3; i < 12; i++) {
      log.push({ direction: 'in', peer: 'x', envelope: { name: 'a', n: i } });
    }
    expect([log.size, log.dropped]).toEqual([5, 7]);
    expect(ns(log)).toEqual([7, 8, 9, 10, 11]);
    expect(ns(log.query())).toEqual([7, 8, 9, 10, 11]);
  });

  it('keeps order across many wraps', () => {
    const log = filled(1234, 7);
    expect(ns(log)).toEqual([1227, 1228, 1229, 1230, 1231, 1232, 1233]);
    expect(log.dropped).toBe(1227);
  });

  it('works with capacity 1', () => {
    const log = filled(3, 1);
    expect(ns(log)).toEqual([2]);
    expect(log.dropped).toBe(2);
  });

  it.each([0, -1, 1.5, NaN, Infinity])('rejects capacity %s', (capacity) => {
    expect(() => new MessageLog({ capacity })).toThrow(RangeError);
  });
});

describe('MessageLog entries', () => {
  it('assigns increasing seq from 1, and defaults at to now', () => {
    vi.useFakeTimers({ now: 5000 });
    try {
      const log = new MessageLog<Env>({ capacity: 2 });
      const first = log.push({ direction: 'out', envelope: { name: 'a', n: 0 } });
      expect(first).toEqual({
        seq: 1,
        direction: 'out',
        at: 5000,
        peer: undefined,
        envelope: { name: 'a', n: 0 },
      });
      log.push({ direction: 'in', envelope: { name: 'a', n: 1 } });
      log.push({ direction: 'in', envelope: { name: 'a', n: 2 } });
      expect([...log].map((e) => e.seq)).toEqual([2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the envelope by reference', () => {
    const log = new MessageLog<Env>();
    const envelope = { name: 'a', n: 1 };
    expect(log.push({ direction: 'in', envelope }).envelope).toBe(envelope);
  });

  it('clear empties it and resets dropped, but seq keeps counting', () => {
    const log = filled(8, 5);
    log.clear();
    expect([log.size, log.dropped, [...log]]).toEqual([0, 0, []]);
    expect(log.query()).toEqual([]);
    expect(log.push({ direction: 'in', envelope: { name: 'a', n: 0 } }).seq).toBe(9);
    expect(ns(log)).toEqual([0]);
  });

  it('types: the envelope type flows through', () => {
    const log = new MessageLog<Env>();
    expectTypeOf(log.query()).toEqualTypeOf<LogEntry<Env>[]>();
    expectTypeOf<LogEntry<Env>['envelope']>().toEqualTypeOf<Env>();
    // @ts-expect-error -- an envelope needs a name
    new MessageLog<{ n: number }>();
  });
});

describe('MessageLog.query', () => {
  // 12 entries in a log of 10: n = 2..11 remain. Names by n % 3: 0 db.query, 1 db.insert,
  // 2 ui.click; direction: even n in, odd out; peer by n % 3: 0 undefined, 1 p1, 2 p2.
  const log = filled(12, 10);

  it('returns everything, oldest first, without filters', () => {
    expect(ns(log.query())).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('filters by pattern, exact name or wildcard', () => {
    expect(ns(log.query({ pattern: 'db.query' }))).toEqual([3, 6, 9]);
    expect(ns(log.query({ pattern: 'db.*' }))).toEqual([3, 4, 6, 7, 9, 10]);
    expect(ns(log.query({ pattern: 'ui.>' }))).toEqual([2, 5, 8, 11]);
    expect(ns(log.query({ pattern: 'db' }))).toEqual([]);
    expect(ns(log.query({ pattern: '>' }))).toHaveLength(10);
  });

  it('rejects an invalid pattern', () => {
    expect(() => log.query({ pattern: 'db..x' })).toThrow(InvalidNameError);
  });

  it('filters by peer and direction', () => {
    expect(ns(log.query({ peer: 'p1' }))).toEqual([4, 7, 10]);
    expect(ns(log.query({ direction: 'in' }))).toEqual([2, 4, 6, 8, 10]);
    expect(ns(log.query({ direction: 'out', peer: 'p2' }))).toEqual([5, 11]);
  });

  it('filters by time, since and until both inclusive', () => {
    expect(ns(log.query({ since: 1009 }))).toEqual([9, 10, 11]);
    expect(ns(log.query({ until: 1003 }))).toEqual([2, 3]);
    expect(ns(log.query({ since: 1004, until: 1006 }))).toEqual([4, 5, 6]);
    expect(ns(log.query({ since: 1006, until: 1004 }))).toEqual([]);
  });

  it('limit keeps the newest matches, still oldest first', () => {
    expect(ns(log.query({ limit: 3 }))).toEqual([9, 10, 11]);
    expect(ns(log.query({ pattern: 'db.*', limit: 2 }))).toEqual([9, 10]);
    expect(ns(log.query({ limit: 0 }))).toEqual([]);
    expect(ns(log.query({ limit: 100 }))).toHaveLength(10);
  });

  it('combines every filter', () => {
    const q = { pattern: 'db.*', direction: 'in', since: 1003, until: 1010, limit: 2 } as const;
    expect(ns(log.query(q))).toEqual([6, 10]);
  });
});
