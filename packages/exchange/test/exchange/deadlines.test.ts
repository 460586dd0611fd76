// The deadline heap behind request timeouts: order, at most 0.5 ms early, cancellation, bounded
// memory, and a real Node process kept alive only while a deadline waits.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/exchange/deadlines.js';

interface Entry {
  id: number;
  expires: number;
  done: boolean;
}

const entry = (id: number, inMs: number): Entry => ({
  id,
  expires: performance.now() + inMs,
  done: true, // not waiting until added
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Expired entries, with how early (negative) or late each came, in ms. */
function recorder() {
  const expired: { id: number; late: number }[] = [];
  const deadlines = new Deadlines<Entry>((e) =>
    expired.push({ id: e.id, late: performance.now() - e.expires }),
  );
  return { deadlines, expired };
}

describe('Deadlines', () => {
  it('expires entries soonest first, at most 0.5 ms early, whatever order they came in', async () => {
    const { deadlines, expired } = recorder();
    const delays = [40, 5, 25, 5, 60, 15, 1, 33];
    delays.forEach((ms, id) => deadlines.add(entry(id, ms)));
    expect(deadlines.size).toBe(8);
    await sleep(120);
    const byDeadline = delays
      .map((ms, id) => ({ ms, id }))
      .sort((a, b) => a.ms - b.ms || a.id - b.id);
    expect(new Set(expired.map((e) => e.id))).toEqual(new Set(byDeadline.map((d) => d.id)));
    // Soonest first: equal deadlines may come in either order.
    const order = expired.map((e) => delays[e.id]);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const e of expired) expect(e.late).toBeGreaterThanOrEqual(-0.5);
    expect(deadlines.size).toBe(0);
  });

  it('a cancelled entry never expires; the others still do', async () => {
    const { deadlines, expired } = recorder();
    const soon = entry(1, 5);
    const later = entry(2, 20);
    deadlines.add(soon);
    deadlines.add(later);
    deadlines.cancel(soon);
    deadlines.cancel(soon); // twice: no effect
    expect(deadlines.size).toBe(1);
    await sleep(60);
    expect(expired.map((e) => e.id)).toEqual([2]);
  });

  it('random adds and cancels: each live entry expires once, each cancelled one never', async () => {
    const { deadlines, expired } = recorder();
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const entries: Entry[] = [];
    const cancelled = new Set<number>();
    for (let id = 0; id < 500; id++) {
      const e = entry(id, random() * 40);
      entries.push(e);
      deadlines.add(e);
      if (random() < 0.4) {
        const victim = entries[Math.floor(random() * entries.length)];
        if (!victim.done) {
          deadlines.cancel(victim);
          cancelled.add(victim.id);
        }
      }
    }
    await sleep(100);
    const ids = expired.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => cancelled.has(id))).toEqual([]);
    expect(ids.length + cancelled.size).toBe(500);
    for (const e of expired) expect(e.late).toBeGreaterThanOrEqual(-0.5);
  });

  it('holds about twice its live entries: cancelled ones do not pile up', () => {
    const { deadlines } = recorder();
    const longLived = entry(0, 60_000);
    deadlines.add(longLived);
    let mostHeld = 0;
    // One at a time, as sequential requests come and go around one that waits.
    for (let id = 1; id <= 10_000; id++) {
      const e = entry(id, 30_000);
      deadlines.add(e);
      deadlines.cancel(e);
      mostHeld = Math.max(mostHeld, deadlines.held);
    }
    expect(deadlines.size).toBe(1);
    expect(mostHeld).toBeLessThanOrEqual(2 + 64 + 1);
    deadlines.clear();
    expect([deadlines.size, deadlines.held]).toEqual([0, 0]);
  });

  it('keeps soonest-first order through rebuilds, with many entries waiting', async () => {
    const { deadlines, expired } = recorder();
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const live: Entry[] = [];
    // 300 waiting at once, and 2,000 cancelled among them: the heap is rebuilt many times.
    for (let id = 0; id < 2_300; id++) {
      const e = entry(id, 20 + random() * 60);
      deadlines.add(e);
      if (id % 23 < 20) deadlines.cancel(e);
      else live.push(e);
    }
    expect(deadlines.size).toBe(300);
    expect(deadlines.held).toBeLessThanOrEqual(2 * 300 + 64 + 1);
    await sleep(150);
    const order = expired.map((e) => live.find((l) => l.id === e.id)!.expires);
    expect(order).toHaveLength(300);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('adding an entry twice, or cancelling one never added, changes nothing', async () => {
    const { deadlines, expired } = recorder();
    const stray = entry(1, 5);
    deadlines.cancel(stray);
    expect(deadlines.size).toBe(0);
    const e = entry(2, 5);
    deadlines.add(e);
    deadlines.add(e);
    expect(deadlines.size).toBe(1);
    await sleep(40);
    expect(expired.map((x) => x.id)).toEqual([2]);
    expect(deadlines.size).toBe(0);
  });

  it('sets the timer again when an expiry callback throws', async () => {
    const expired: number[] = [];
    const deadlines = new Deadlines<Entry>((e) => {
      expired.push(e.id);
      if (e.id === 1) throw new Error('expire failed');
    });
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    // The throw escapes the timer callback: caught here as the process would see it.
    process.prependListener('uncaughtException', onError);
    try {
      deadlines.add(entry(1, 5));
      deadlines.add(entry(2, 30));
      await sleep(80);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(expired).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });

  it('clear drops every deadline: none expires afterwards', async () => {
    const { deadlines, expired } = recorder();
    for (let id = 0; id < 10; id++) deadlines.add(entry(id, 5 + id));
    deadlines.clear();
    await sleep(40);
    expect(expired).toEqual([]);
  });

  it('a deadline past the longest timer delay (about 24.8 days) does not fire early', async () => {
    const { deadlines, expired } = recorder();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    deadlines.add(entry(1, 3e9));
    await sleep(50);
    deadlines.clear();
    process.off('warning', onWarning);
    expect(expired).toEqual([]);
    // Node would clamp a longer delay to 1 ms (with this warning), and wake every millisecond.
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });

  describe('in a real Node process', () => {
    const run = promisify(execFile);
    const fixture = new URL('./fixtures/deadline-alive.mjs', import.meta.url).pathname;
    const lines = async (mode: string) => {
      const { stdout } = await run(process.execPath, [fixture, mode], { timeout: 30_000 });
      return stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { expired?: string; late?: number; exitAfter?: number });
    };

    it('keeps the process alive while a deadline waits, and not once it is cancelled', async () => {
      const [waited, cancelled, again] = await Promise.all([
        lines('wait'),
        lines('cancel'),
        lines('again'),
      ]);
      expect(waited[0].expired).toBe('a');
      expect(waited[0].late).toBeGreaterThanOrEqual(-0.5);
      expect(waited[1].exitAfter).toBeGreaterThanOrEqual(299.5);
      // A 60 s deadline, cancelled: the process ends as soon as its script does.
      expect(cancelled).toHaveLength(1);
      expect(cancelled[0].exitAfter).toBeLessThan(10_000);
      // The timer set for a cancelled deadline keeps the process for a later one.
      expect(again[0].expired).toBe('b');
      expect(again[1].exitAfter).toBeGreaterThanOrEqual(399.5);
    });
  });
});
