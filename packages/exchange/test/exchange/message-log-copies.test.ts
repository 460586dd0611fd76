// The message log keeping messages as copies of the bytes they arrived in (LoggedBytes): read
// back and restored, copied at once, exact in the byte budget, intact while its chunks are
// reused, and logged as objects when the value may not be kept.
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LogChunks } from '../../src/exchange/log-chunks.js';
import { MessageLog, type LoggedBytes } from '../../src/exchange/message-log.js';

interface Env {
  name: string;
  n: number;
  value?: unknown;
  restored?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const read = (bytes: Uint8Array) => JSON.parse(decoder.decode(bytes)) as Env;

/** An envelope and the bytes it "arrived" in, inside a larger message as a link gives them. */
function arrived(env: Env, pad = 3): [Env, LoggedBytes<Env>] {
  const text = encoder.encode(JSON.stringify(env));
  const data = new Uint8Array(text.length + 2 * pad).fill(0x20);
  data.set(text, pad);
  return [env, { data, start: pad, end: pad + text.length, read }];
}

const restore = (env: Env, at: number): Env => ({ ...env, restored: at });

// Buffers held, after a full collection: the transport messages made here are garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const buffersHeld = () => {
  gc();
  return process.memoryUsage().arrayBuffers;
};

describe('message log: entries kept as bytes', () => {
  it('reads an entry back from its bytes, restored, with the entry as logged', () => {
    const log = new MessageLog<Env>({ capacity: 10, restore });
    const [env, bytes] = arrived({ name: 'orders.created', n: 1, value: { total: 12.5 } });
    log.record('in', 'hub', env, 1000, bytes);
    const [entry] = log.query();
    expect(entry).toEqual({
      seq: 1,
      direction: 'in',
      at: 1000,
      peer: 'hub',
      envelope: { ...env, restored: 1000 },
    });
    expect(entry.envelope).not.toBe(env); // a copy, read back
    expect(log.findEnvelope((e) => e.n === 1)).toEqual({ ...env, restored: 1000 });
  });

  it('copies the bytes at once: the transport message may be reused after', () => {
    const log = new MessageLog<Env>({ capacity: 10 });
    for (const size of [10, 200, 20_000]) {
      const [env, bytes] = arrived({ name: 'a', n: size, value: 'v'.repeat(size) });
      log.record('in', 'p', env, 1, bytes);
      bytes.data.fill(0x7b); // '{' everywhere: unreadable if the log had kept a view
    }
    expect(log.query().map((e) => e.envelope.n)).toEqual([10, 200, 20_000]);
    expect(log.query()[2].envelope.value).toBe('v'.repeat(20_000));
  });

  it('counts an entry kept as bytes at their exact size plus a fixed 64', () => {
    const log = new MessageLog<Env>({ capacity: 10 });
    const [env, bytes] = arrived({ name: 'a', n: 1, value: 'x'.repeat(500) });
    log.record('in', 'p', env, 1, bytes);
    expect(log.bytes).toBe(64 + (bytes.end - bytes.start));
  });

  it('logs as an object what it may not keep as bytes: a value over maxValueBytes, or refused', () => {
    const log = new MessageLog<Env>({
      capacity: 10,
      maxBytes: 16 * 1024,
      keepValue: (env) => env.name !== 'secret',
    });
    const [big, bigBytes] = arrived({ name: 'big', n: 1, value: 'x'.repeat(2000) });
    const [secret, secretBytes] = arrived({ name: 'secret', n: 2, value: 'y' });
    log.record('in', 'p', big, 1, bigBytes);
    log.record('in', 'p', secret, 2, secretBytes);
    const [first, second] = log.query();
    expect(first.envelope).toEqual({ name: 'big', n: 1, value: undefined });
    expect(first.valueOmitted).toBeGreaterThanOrEqual(2000);
    expect(second.envelope).toEqual({ name: 'secret', n: 2, value: undefined });
  });

  it('keeps every entry intact while chunks are emptied and filled again', () => {
    // Sizes from a few bytes to over a quarter chunk (a buffer of its own), objects between,
    // through logs small enough that chunks are recycled many times over (every value under
    // maxValueBytes, 18,750 for the smaller budget, so none is left out).
    const step = fc.record({
      size: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 15_000, max: 18_000 })),
      asBytes: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 200, maxLength: 600 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(4 * 1024 * 1024, 300_000),
        (steps, capacity, maxBytes) => {
          const log = new MessageLog<Env>({ capacity, maxBytes, restore });
          const expected: Env[] = [];
          steps.forEach(({ size, asBytes }, n) => {
            const [env, bytes] = arrived({ name: 'm', n, value: 'z'.repeat(size) });
            log.record('in', 'p', env, n, asBytes ? bytes : undefined);
            expected.push(asBytes ? { ...env, restored: n } : env);
            const kept = log.query();
            expect(kept.length).toBeLessThanOrEqual(capacity);
            expect(kept.map((e) => e.envelope)).toEqual(expected.slice(-kept.length));
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('shares one copy among entries of the same bytes (a relayed message: in, then out)', () => {
    const chunks = new LogChunks(16 * 1024 * 1024);
    const [, bytes] = arrived({ name: 'a', n: 1, value: 'x'.repeat(100) });
    const size = bytes.end - bytes.start;
    const first = chunks.copy(bytes.data, bytes.start, size);
    const at = chunks.offset;
    const again = chunks.copy(bytes.data, bytes.start, size);
    expect([again, chunks.offset, first.holders]).toEqual([first, at, 2]);
    // Other bytes of the same message (another envelope of its batch) are copied.
    chunks.copy(bytes.data, bytes.start + 1, size - 1);
    expect(chunks.offset).toBe(at + size);
    // Once no entry holds the first copy, the same bytes are copied again.
    const [, other] = arrived({ name: 'b', n: 2 });
    chunks.copy(other.data, other.start, other.end - other.start);
    first.holders = 0;
    const fresh = chunks.copy(bytes.data, bytes.start, size);
    expect(chunks.offset).not.toBe(at);
    expect(decoder.decode(fresh.bytes.subarray(chunks.offset, chunks.offset + size))).toBe(
      decoder.decode(bytes.data.subarray(bytes.start, bytes.end)),
    );
  });

  it('keeps no message alive once told its source is done with (forgetSource)', async () => {
    const log = new MessageLog<Env>({ capacity: 10 });
    const logOne = () => {
      // A transport message holding one envelope, logged from its bytes; only a weak reference
      // to the message is kept here.
      const [env, bytes] = arrived({ name: 'a', n: 1 }, 512 * 1024);
      log.record('in', 'p', env, 1, bytes);
      return new WeakRef(bytes.data);
    };
    const collected = async (ref: WeakRef<Uint8Array>) => {
      await new Promise((resolve) => setImmediate(resolve)); // weak targets live out the job
      gc();
      return ref.deref() === undefined;
    };
    // The log remembers the last source, to share its copy with an 'out' entry of the same bytes.
    const first = logOne();
    expect(await collected(first)).toBe(false);
    log.forgetSource();
    expect(await collected(first)).toBe(true);
    expect(log.query()[0].envelope.n).toBe(1); // the entry's copy is its own
    // From now on the same bytes are copied again, not shared.
    const chunks = new LogChunks(16 * 1024 * 1024);
    const data = new Uint8Array(64).fill(1);
    chunks.copy(data, 0, 64);
    const at = chunks.offset;
    chunks.forgetSource();
    chunks.copy(data, 0, 64);
    expect(chunks.offset).toBe(at + 64);
  });

  it('copies again bytes whose first copy was let go, even into a spare buffer', () => {
    // A message the size of the largest chunk gets a buffer of its own, kept as a spare once
    // no entry holds it; logged again, it must not share that spare, which is filled anew.
    const chunks = new LogChunks(16 * 1024 * 1024);
    const big = new Uint8Array(64 * 1024).fill(0x61);
    const first = chunks.copy(big, 0, big.length);
    chunks.release(first); // its entry was evicted: the buffer is a spare now
    const again = chunks.copy(big, 0, big.length);
    expect(again).not.toBe(first);
    expect(again.holders).toBe(1);
    // The next copies fill the spare (the first buffer) from its start: `again` is untouched.
    const small = new Uint8Array(100).fill(0x62);
    for (let k = 0; k < 5; k++) chunks.copy(small, k, small.length - k);
    expect(again.bytes.every((b) => b === 0x61)).toBe(true);
  });

  it('keeps every entry intact when the same bytes are logged again, while chunks are reused', () => {
    // Each message logged once or more (in, and out to several peers) as the same bytes: the
    // entries share one copy, which must never be overwritten while one of them holds it.
    const step = fc.record({
      size: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 15_000, max: 18_000 })),
      times: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 100, maxLength: 300 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(4 * 1024 * 1024, 300_000),
        (steps, capacity, maxBytes) => {
          const log = new MessageLog<Env>({ capacity, maxBytes, restore });
          const expected: Env[] = [];
          steps.forEach(({ size, times }, n) => {
            const [env, bytes] = arrived({ name: 'm', n, value: 'z'.repeat(size) });
            for (let k = 0; k < times; k++) {
              log.record(k === 0 ? 'in' : 'out', 'p', env, n, bytes);
              expected.push({ ...env, restored: n });
            }
            const kept = log.query();
            expect(kept.map((e) => e.envelope)).toEqual(expected.slice(-kept.length));
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('holds little for a log of a few messages: a process may have thousands of exchanges', () => {
    const before = buffersHeld();
    const logs = Array.from({ length: 2000 }, () => new MessageLog<Env>({ capacity: 1000 }));
    for (const log of logs) log.record('in', 'p', ...arrivedAt({ name: 'a', n: 1 }));
    const perLog = (buffersHeld() - before) / logs.length;
    expect(perLog).toBeLessThan(4096); // a first chunk of 1 KiB (64 KiB each would be 128 MiB)
    expect(logs.every((log) => log.query()[0].envelope.n === 1)).toBe(true);
  });

  it("keeps a small log's chunks within a few times its maxBytes", () => {
    const before = buffersHeld();
    const logs = Array.from({ length: 100 }, () => new MessageLog<Env>({ maxBytes: 4096 }));
    for (const log of logs)
      for (let n = 0; n < 3000; n++) log.record('in', 'p', ...arrivedAt({ name: 'a', n }));
    const perLog = (buffersHeld() - before) / logs.length;
    expect(logs[0].bytes).toBeLessThanOrEqual(4096);
    expect(perLog).toBeLessThan(4 * 4096); // 64 KiB chunks and spares: over 100 KiB
    expect(logs[0].query().at(-1)?.envelope.n).toBe(2999);
  });

  it('matches a model of its bounds: capacity, bytes, order, dropped (random runs)', () => {
    // Runs of one size: large ones evict small ones by bytes, then small ones fill it again.
    const stretch = fc.record({
      size: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 300, max: 420 })),
      count: fc.integer({ min: 1, max: 40 }),
      bytes: fc.boolean(),
      out: fc.boolean(),
    });
    const run = fc.record({
      capacity: fc.integer({ min: 1, max: 150 }),
      ops: fc
        .array(stretch, { maxLength: 20 })
        .map((stretches) => stretches.flatMap((s) => Array.from({ length: s.count }, () => s))),
    });
    fc.assert(
      fc.property(run, ({ capacity, ops }) => {
        const maxBytes = 8192;
        const log = new MessageLog<Env>({ capacity, maxBytes, restore });
        const model: { n: number; cost: number; direction: 'in' | 'out' }[] = [];
        let dropped = 0;
        ops.forEach(({ size, bytes, out }, n) => {
          const direction = out ? 'out' : 'in';
          const env: Env = { name: 'a', n, value: 'x'.repeat(size) };
          // What the entry costs: as much as it does alone in a log of the same budget.
          const alone = new MessageLog<Env>({ capacity: 1, maxBytes });
          for (const into of [log, alone]) {
            if (bytes) into.record(direction, `p${n % 3}`, ...arrivedAt(env));
            else into.record(direction, `p${n % 3}`, env, 5);
          }
          const cost = alone.bytes;
          if (model.length === capacity) {
            model.shift();
            dropped++;
          }
          model.push({ n, cost, direction });
          let total = model.reduce((sum, e) => sum + e.cost, 0);
          while (model.length > 1 && total > maxBytes) {
            total -= model.shift()!.cost;
            dropped++;
          }
        });
        const entries = log.query();
        expect(entries.map((e) => [e.envelope.n, e.direction, e.peer])).toEqual(
          model.map((e) => [e.n, e.direction, `p${e.n % 3}`]),
        );
        expect(entries.map((e) => e.seq)).toEqual(model.map((e) => e.n + 1));
        expect(log.bytes).toBe(model.reduce((sum, e) => sum + e.cost, 0));
        expect(log.dropped).toBe(dropped);
        expect([...log]).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });

  it('starts over empty after clear, and keeps counting seq', () => {
    const log = new MessageLog<Env>({ capacity: 4 });
    for (let n = 0; n < 6; n++) log.record('in', 'p', ...arrivedAt({ name: 'a', n }));
    log.clear();
    expect(log.size).toBe(0);
    expect(log.bytes).toBe(0);
    log.record('in', 'p', ...arrivedAt({ name: 'b', n: 9 }));
    expect(log.query()).toEqual([
      { seq: 7, direction: 'in', at: 5, peer: 'p', envelope: { name: 'b', n: 9 } },
    ]);
  });
});

/** `record`'s last three arguments for an envelope that arrived as bytes at time 5. */
function arrivedAt(env: Env): [Env, number, LoggedBytes<Env>] {
  const [e, bytes] = arrived(env);
  return [e, 5, bytes];
}
