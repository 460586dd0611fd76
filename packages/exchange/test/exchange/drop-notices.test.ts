// `$exchange.dropped` notices (docs/concepts.md, system messages and limits): the first drop of a
// reason at once, the rest of its second in one summary, and a bound on the reasons tracked. The
// hub-level flood (a slow consumer) is in test/transports/slow-consumer.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DROP_NOTICE_WINDOW_MS,
  DropNotices,
  MAX_DROP_REASONS,
  type DropNotice,
} from '../../src/exchange/drop-notices.js';
import type { Envelope } from '../../src/index.js';

const envelope = (n: number) => ({ id: `m${n}`, name: `orders.${n}` }) as Envelope;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const total = (notices: DropNotice[]) => notices.reduce((s, n) => s + (n.count ?? 1), 0);

let notices: DropNotice[] = [];
let drops: DropNotices;
afterEach(() => {
  drops.stop();
  notices = [];
});
const start = () => (drops = new DropNotices((n) => notices.push(n)));

describe('drop notices', () => {
  it('tell the first drop of a reason at once and summarise the rest when the second ends', async () => {
    start();
    for (let i = 0; i < 500; i++) drops.dropped(envelope(i), 'peer a is full');
    drops.dropped(envelope(1000), 'no route');
    expect(notices).toEqual([
      { message: 'm0', name: 'orders.0', reason: 'peer a is full' },
      { message: 'm1000', name: 'orders.1000', reason: 'no route' },
    ]);
    await sleep(DROP_NOTICE_WINDOW_MS + 200);
    // The summary names the last one and counts the 499 held back; 'no route' had nothing more.
    expect(notices.slice(2)).toEqual([
      { message: 'm499', name: 'orders.499', reason: 'peer a is full', count: 499 },
    ]);
    expect(total(notices)).toBe(501);
  });

  it('hold back a drop right after a summary too, and forget a reason after a quiet second', async () => {
    start();
    drops.dropped(envelope(0), 'r');
    drops.dropped(envelope(1), 'r');
    await sleep(DROP_NOTICE_WINDOW_MS + 200);
    expect(notices).toHaveLength(2);
    drops.dropped(envelope(2), 'r'); // within the window the summary opened
    expect(notices).toHaveLength(2);
    await sleep(DROP_NOTICE_WINDOW_MS + 200);
    expect(notices[2]).toEqual({ message: 'm2', name: 'orders.2', reason: 'r', count: 1 });
    await sleep(DROP_NOTICE_WINDOW_MS + 200); // a quiet window: 'r' is forgotten
    drops.dropped(envelope(3), 'r');
    expect(notices[3]).toEqual({ message: 'm3', name: 'orders.3', reason: 'r' });
  }, 10_000);

  it(`track at most ${MAX_DROP_REASONS} reasons; the others are summarised as 'many reasons'`, async () => {
    start();
    for (let i = 0; i < MAX_DROP_REASONS + 100; i++) drops.dropped(envelope(i), `reason ${i}`);
    expect(notices).toHaveLength(MAX_DROP_REASONS);
    await sleep(DROP_NOTICE_WINDOW_MS + 200);
    expect(notices.slice(MAX_DROP_REASONS)).toEqual([
      {
        message: `m${MAX_DROP_REASONS + 99}`,
        name: `orders.${MAX_DROP_REASONS + 99}`,
        reason: 'many reasons',
        count: 100,
      },
    ]);
    expect(total(notices)).toBe(MAX_DROP_REASONS + 100);
  });

  it('tell nothing after stop', async () => {
    start();
    drops.dropped(envelope(0), 'r');
    drops.dropped(envelope(1), 'r');
    drops.stop();
    await sleep(DROP_NOTICE_WINDOW_MS + 200);
    expect(notices).toHaveLength(1);
  });
});
