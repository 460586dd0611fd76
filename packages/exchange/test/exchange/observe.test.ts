import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  ExchangeError,
  InvalidNameError,
  isExchangeError,
  type Envelope,
  type Exchange,
} from '../../src/index.js';
import { link, make, observersKnown, route, until } from './network.js';

/** Takes `n` messages from an iterator, then leaves the loop (which ends the observation). */
async function take(it: AsyncIterable<Envelope>, n: number): Promise<Envelope[]> {
  const got: Envelope[] = [];
  if (n === 0) return got;
  for await (const msg of it) {
    got.push(msg);
    if (got.length === n) break;
  }
  return got;
}

/** The values of the `$exchange.dropped` messages `ex` emits, collected as they come. */
function droppedReports(ex: Exchange): unknown[] {
  const reports: unknown[] = [];
  ex.on('$exchange.dropped', (msg) => reports.push(msg.value));
  return reports;
}

describe('ex.observe', () => {
  it('yields local and remote messages in order; break removes the observer and its advert', async () => {
    const shop = make({ id: 'shop' });
    const desk = make({ id: 'desk' });
    await link(shop, desk);
    const stream = desk.observe('orders.*');
    expect(desk.describe().observes).toEqual(['orders.*']);
    await until(observersKnown([shop], 'orders.*'), 'shop to learn the observer');

    shop.send('orders.created', 1);
    desk.send('orders.paid', 2);
    shop.send('users.created', 'not matched');
    shop.send('orders.shipped', 3);
    const got = await take(stream, 3);
    // The local message is delivered as it is sent; the remote ones keep their order.
    expect(got.map((m) => [m.name, m.value])).toEqual([
      ['orders.paid', 2],
      ['orders.created', 1],
      ['orders.shipped', 3],
    ]);

    expect(desk.describe().observes).toEqual([]);
    await until(() => route(shop, 'observe', 'orders.*') === undefined, 'the advert withdrawn');
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('waits for messages sent after next() was called; concurrent next() calls resolve in order', async () => {
    const ex = make({ id: 'solo' });
    const stream = ex.observe('tick');
    const first = stream.next();
    const second = stream.next();
    ex.send('tick', 'a');
    ex.send('tick', 'b');
    expect((await first).value?.value).toBe('a');
    expect((await second).value?.value).toBe('b');
    await stream.return!();
  });

  it('aborting the signal ends a waiting loop with CancelledError and removes the observer', async () => {
    const ex = make({ id: 'solo' });
    const controller = new AbortController();
    const loop = (async () => {
      const got: unknown[] = [];
      for await (const msg of ex.observe('jobs.>', { signal: controller.signal })) {
        got.push(msg.value);
        if (got.length === 1) controller.abort(new Error('shutting down'));
      }
      return got;
    })();
    // The loop registered its observer synchronously; this message wakes it, and it aborts.
    ex.send('jobs.run', 1);
    const error = await loop.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(isExchangeError(error, 'CANCELLED')).toBe(true);
    expect((error as CancelledError).cause).toEqual(new Error('shutting down'));
    expect(ex.describe().observes).toEqual([]);
  });

  it('aborting discards buffered messages: the next next() throws, then the stream is done', async () => {
    const ex = make({ id: 'solo' });
    const controller = new AbortController();
    const stream = ex.observe('a', { signal: controller.signal });
    ex.send('a', 1);
    ex.send('a', 2);
    expect(stream.buffered).toBe(2);
    controller.abort();
    await expect(stream.next()).rejects.toBeInstanceOf(CancelledError);
    await expect(stream.next()).resolves.toMatchObject({ done: true });
    expect(ex.describe().observes).toEqual([]);
  });

  it('an already-aborted signal fails at once and registers nothing', () => {
    const ex = make({ id: 'solo' });
    expect(() => ex.observe('a.b', { signal: AbortSignal.abort() })).toThrow(CancelledError);
    expect(ex.describe().observes).toEqual([]);
  });

  it('drop-oldest (the default) keeps the newest messages, counts and reports the rest', async () => {
    const ex = make({ id: 'solo' });
    const reports = droppedReports(ex);
    const stream = ex.observe('n', { bufferSize: 3 });
    const sent = [1, 2, 3, 4, 5].map((v) => ex.send('n', v));
    expect(stream.dropped).toBe(2);
    expect(stream.buffered).toBe(3);
    expect(reports).toEqual(
      sent.slice(0, 2).map((env) => ({
        message: env.id,
        name: 'n',
        reason: 'observer buffer full (3)',
        pattern: 'n',
      })),
    );
    const got = await take(stream, 3);
    expect(got.map((m) => m.value)).toEqual([3, 4, 5]);
  });

  it('a full observer of everything does not report its own drop reports (no feedback loop)', async () => {
    const ex = make({ id: 'solo' });
    const stream = ex.observe('>', { bufferSize: 2 });
    for (let i = 0; i < 50; i++) ex.send('flood', i);
    // From the third message on, each one pushes out the oldest, whose report pushes out the
    // next oldest (a report, or a message dropped while reporting): that drop is not reported.
    expect(stream.dropped).toBe(2 * 48);
    const got = await take(stream, 2);
    expect(got.map((m) => [m.name, m.name === 'flood' ? m.value : 'report'])).toEqual([
      ['flood', 49],
      ['$exchange.dropped', 'report'],
    ]);
  });

  it("overflow 'error' yields what was buffered, then throws CONGESTED; the observer is gone at once", async () => {
    const ex = make({ id: 'solo' });
    const reports = droppedReports(ex);
    const stream = ex.observe('n', { bufferSize: 2, overflow: 'error' });
    ex.send('n', 1);
    ex.send('n', 2);
    ex.send('n', 3);
    expect(ex.describe().observes).toEqual(['$exchange.dropped']);
    expect(reports).toEqual([]);
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const msg of stream) got.push(msg.value);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1, 2]);
    expect(error).toBeInstanceOf(ExchangeError);
    expect(error).toMatchObject({ code: 'CONGESTED', data: { pattern: 'n', bufferSize: 2 } });
    await expect(stream.next()).resolves.toMatchObject({ done: true });
  });

  it('with peer, yields only what arrived from that peer', async () => {
    const hub = make({ id: 'hub' });
    const left = make({ id: 'left' });
    const right = make({ id: 'right' });
    await link(hub, left);
    await link(hub, right);
    const stream = hub.observe('news', { peer: 'left' });
    let arrived = 0;
    hub.on('news', () => arrived++);
    await until(observersKnown([left, right], 'news'), 'observer routes');
    right.send('news', 'from right');
    left.send('news', 'from left');
    hub.send('news', 'from hub');
    await until(() => arrived === 3, 'all three at the hub');
    expect(stream.buffered).toBe(1);
    const [msg] = await take(stream, 1);
    expect(msg.value).toBe('from left');
  });

  it('rejects a bad pattern or bad options before registering anything', () => {
    const ex = make({ id: 'solo' });
    expect(() => ex.observe('a..b')).toThrow(InvalidNameError);
    expect(() => ex.observe('a', { bufferSize: 0 })).toThrow(RangeError);
    expect(() => ex.observe('a', { bufferSize: 1.5 })).toThrow(RangeError);
    const overflow = 'drop-newest' as 'error';
    expect(() => ex.observe('a', { overflow })).toThrow(RangeError);
    expect(ex.describe().observes).toEqual([]);
  });
});
