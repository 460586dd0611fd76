import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdSource } from '../../src/exchange/envelope.js';
import { MAX_WINDOW, MIN_WINDOW, SeenSet } from '../../src/exchange/seen.js';

const H = 1;
const O = 2;

describe('SeenSet', () => {
  it('grants each duty once per id, for our ids and foreign ones', () => {
    const ids = new IdSource('a');
    const seen = new SeenSet(100);
    for (const id of [ids.next(), ids.next(), 'uuid-3f2a', 'no-colon-at-all', 'x:UPPER']) {
      expect(seen.claim(id, H)).toBe(H);
      expect(seen.claim(id, H)).toBe(0);
      expect(seen.claim(id, H | O)).toBe(O);
      expect(seen.claim(id, H | O)).toBe(0);
    }
  });

  it('keeps origins apart: equal sequence numbers from two exchanges are two messages', () => {
    const a = new IdSource('a');
    const b = new IdSource('b');
    const seen = new SeenSet(100);
    expect(seen.claim(a.next(), O)).toBe(O);
    expect(seen.claim(b.next(), O)).toBe(O);
  });

  it('two instances with one exchange id get different prefixes', () => {
    expect(new IdSource('a').prefix).not.toBe(new IdSource('a').prefix);
  });

  it('accepts out-of-order arrival inside the window', () => {
    const src = new IdSource('a');
    const ids = Array.from({ length: 50 }, () => src.next());
    const seen = new SeenSet(100);
    for (const id of [...ids].reverse()) expect(seen.claim(id, O)).toBe(O);
    for (const id of ids) expect(seen.claim(id, O)).toBe(0);
  });

  it('release lets a duty be claimed again (failover), only that duty', () => {
    const src = new IdSource('a');
    const id = src.next();
    const seen = new SeenSet(10);
    seen.claim(id, H | O);
    seen.release(id, H);
    expect(seen.claim(id, H | O)).toBe(H);
    seen.claim('foreign-1', H);
    seen.release('foreign-1', H);
    expect(seen.claim('foreign-1', H)).toBe(H);
  });

  it('treats ids older than the window as new and counts them stale', () => {
    const src = new IdSource('a');
    const first = src.next();
    const seen = new SeenSet(10);
    seen.claim(first, O);
    for (let i = 0; i < MAX_WINDOW + 100; i++) seen.claim(src.next(), O);
    expect(seen.claim(first, O)).toBe(O);
    expect(seen.stale).toBe(1);
  });

  it('a jump past the window forgets every slot (no stale bits reused)', () => {
    const seen = new SeenSet(10);
    seen.claim('a:p:1', O);
    seen.claim('a:p:' + (1 + MAX_WINDOW * 3).toString(36), O);
    // Same slot as 1, new number: must not look seen.
    expect(seen.claim('a:p:' + (1 + MAX_WINDOW * 4).toString(36), O)).toBe(O);
  });

  it('keeps a small window for a quiet origin and grows it for a busy one, keeping what it saw', () => {
    const quiet = new IdSource('quiet');
    const busy = new IdSource('busy');
    const seen = new SeenSet(10);
    for (let i = 0; i < 10; i++) seen.claim(quiet.next(), O);
    const ids: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      ids.push(busy.next());
      expect(seen.claim(ids[i], O)).toBe(O);
    }
    expect(seen.windowSize(quiet.prefix.slice(0, -1))).toBe(MIN_WINDOW);
    expect(seen.windowSize(busy.prefix.slice(0, -1))).toBe(MAX_WINDOW);
    // A reconnecting link sends again its 10,000 unacknowledged messages: every one is known.
    for (const id of ids.slice(-10_000)) expect(seen.claim(id, O)).toBe(0);
    expect(seen.stale).toBe(0);
  });

  it('an older number arriving late is remembered (the window reaches back for it)', () => {
    const seen = new SeenSet(10);
    const id = (n: number) => 'late:p:' + n.toString(36);
    expect(seen.claim(id(5_000), O)).toBe(O);
    expect(seen.claim(id(7), O)).toBe(O); // far below a 64-number window: reached, unseen
    expect(seen.claim(id(7), O)).toBe(0);
    expect(seen.claim(id(5_000), O)).toBe(0);
    expect(seen.windowSize('late:p')).toBeGreaterThan(5_000 - 7);
    expect(seen.stale).toBe(0);
  });

  it('growing keeps the duties of the numbers the window spans, across slot positions', () => {
    const seen = new SeenSet(10);
    const id = (n: number) => 'g:p:' + n.toString(36);
    // Sparse numbers: slots collide in the small window and must land right after each growth.
    for (let n = 0; n < 64 * 40; n += 5) seen.claim(id(n), n % 2 === 0 ? H : O);
    for (let n = 64 * 40 - 5; n > 64 * 40 - 500; n -= 5)
      expect(seen.claim(id(n), H | O)).toBe(n % 2 === 0 ? O : H);
  });

  it('forgets the oldest foreign id when full', () => {
    const seen = new SeenSet(3);
    for (const id of ['f-1', 'f-2', 'f-3', 'f-4']) seen.claim(id, O);
    expect(seen.claim('f-1', O)).toBe(O); // forgotten
    expect(seen.claim('f-4', O)).toBe(0);
  });

  it('forgets the oldest origin past maxOrigins', () => {
    const seen = new SeenSet(10, 2);
    seen.claim('a:p:1', O);
    seen.claim('b:p:1', O);
    seen.claim('c:p:1', O);
    expect(seen.claim('a:p:1', O)).toBe(O); // a's window was dropped
    expect(seen.claim('c:p:1', O)).toBe(0);
  });

  it('forgets an origin past maxOrigins even while it is one of the two kept at hand', () => {
    const seen = new SeenSet(10, 2);
    seen.claim('a:p:1', O);
    seen.claim('b:p:1', O);
    seen.claim('a:p:2', O); // a and b alternate, as a hub's requests and replies do
    seen.claim('c:p:1', O); // a, the oldest, goes
    expect(seen.claim('a:p:1', O)).toBe(O); // forgotten (b goes now)
    expect(seen.claim('c:p:1', O)).toBe(0);
  });

  it('agrees with an unbounded model while ids stay inside the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('a:p', 'b:q', 'c:r', 'foreign'),
            fc.nat(200),
            fc.constantFrom(1, 2, 3),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const seen = new SeenSet(1000);
          const model = new Map<string, number>();
          for (const [origin, n, duties] of ops) {
            const id = origin === 'foreign' ? `foreign-${n}` : `${origin}:${n.toString(36)}`;
            const had = model.get(id) ?? 0;
            model.set(id, had | duties);
            expect(seen.claim(id, duties)).toBe(duties & ~had);
          }
        },
      ),
    );
  });
});
