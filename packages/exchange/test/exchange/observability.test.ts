import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../src/exchange/rates.js';
import { line, link, make, many, until, wire } from './network.js';

describe('message log', () => {
  it('logs one entry per transmission: out per peer sent to, in per peer received from', async () => {
    const [a, b, c] = many(3);
    await wire(line([a, b, c]));
    let got = 0;
    c.on('job.done', () => got++);
    b.on('job.done', () => got++);
    await until(() => a.describe().routes.some((r) => r.pattern === 'job.done'), 'routes');
    await until(
      () =>
        a.describe().routes.find((r) => r.pattern === 'job.done')?.via.x1 === 1 &&
        b.describe().routes.find((r) => r.pattern === 'job.done')?.via.x2 === 1,
      'both observers known',
    );
    const env = a.send('job.done', 1);
    await until(() => got === 2, 'both observers');
    const mine = (ex: typeof a) => ex.log.query().filter((e) => e.envelope.id === env.id);
    expect(mine(a).map((e) => [e.direction, e.peer])).toEqual([['out', 'x1']]);
    expect(mine(b).map((e) => [e.direction, e.peer])).toEqual([
      ['in', 'x0'],
      ['out', 'x2'],
    ]);
    expect(mine(c).map((e) => [e.direction, e.peer])).toEqual([['in', 'x1']]);
    // The logged copy at c carries the whole trace.
    expect(mine(c)[0].envelope.trace.map((h) => h.ex)).toEqual(['x0', 'x1', 'x2']);
  });

  it('a message delivered only locally, or to nobody, is logged once without a peer', () => {
    const a = make({ id: 'solo' });
    a.on('here', () => {});
    const local = a.send('here', 1);
    const nowhere = a.send('nowhere', 2);
    for (const env of [local, nowhere]) {
      const entries = a.log.query().filter((e) => e.envelope.id === env.id);
      expect(entries.map((e) => [e.direction, e.peer])).toEqual([['out', undefined]]);
    }
  });

  it('honours logSize: the oldest entries go first', () => {
    const a = make({ id: 'small', logSize: 3 });
    for (let i = 0; i < 5; i++) a.send('n', i);
    expect(a.log.query().map((e) => e.envelope.value)).toEqual([2, 3, 4]);
    expect(a.log.dropped).toBe(2);
  });

  it('trace(id) follows causes through the log, and forgets what the log forgot', async () => {
    const [client, server] = many(2, 'p');
    server.handle('order.place', (msg, ctx) => {
      ctx.send('order.placed', msg.value);
      return 'ok';
    });
    let placed: string | undefined;
    client.on('order.placed', (m) => (placed = m.id));
    await link(client, server);
    await until(() => client.describe().routes.some((r) => r.pattern === 'order.place'), 'route');
    await until(() => server.describe().routes.some((r) => r.pattern === 'order.placed'), 'route');
    const reply = await client.requestMessage('order.place', 7);
    await until(() => placed !== undefined, 'placed');
    const chain = client.trace(placed!);
    expect(chain.map((e) => e.name)).toEqual(['order.placed', 'order.place']);
    expect(chain[1].id).toBe(reply.cause);
    expect(client.trace('no-such-id')).toEqual([]);
  });
});

describe('describe()', () => {
  it('counts messages sent, in and out, and reports rates', async () => {
    const [a, b] = many(2, 'r');
    let got = 0;
    b.on('tick', () => got++);
    await link(a, b);
    await until(() => a.describe().routes.some((r) => r.pattern === 'tick'), 'route');
    for (let i = 0; i < 100; i++) a.send('tick', i);
    await until(() => got === 100, 'delivery');
    const da = a.describe();
    const db = b.describe();
    expect(da.counters.sent).toBeGreaterThanOrEqual(100);
    expect(da.counters.out).toBe(100);
    expect(db.counters.in).toBe(100);
    expect(da.rates).toMatchObject({ in: expect.any(Number), out: expect.any(Number) });
  });
});

describe('RateMeter', () => {
  it('averages over at least the window, from samples taken when read', () => {
    const meter = new RateMeter(1000);
    expect(meter.read(0, { in: 0, out: 0, sent: 0 })).toEqual({
      in: 0,
      out: 0,
      sent: 0,
      window: 0,
    });
    meter.read(500, { in: 100, out: 0, sent: 0 });
    // The newest sample at least 1 s old is t=500's: (2000 - 100) / 1.5 s.
    expect(meter.read(2000, { in: 2000, out: 400, sent: 40 })).toEqual({
      in: 1267,
      out: 267,
      sent: 27,
      window: 1.5,
    });
    // Now it is t=2000's.
    expect(meter.read(3000, { in: 2500, out: 400, sent: 40 }).in).toBe(500);
  });
});

describe('relay records', () => {
  it('a relay forgets requests whose deadline passed without a reply (swept as it relays)', async () => {
    const [a, b, c] = many(3, 's');
    c.handle('never', () => new Promise(() => {}));
    await wire(line([a, b, c]));
    await until(() => a.describe().routes.some((r) => r.pattern === 'never'), 'route');
    const ask = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          a.request('never', i, { timeout: 5 }).catch((e: Error) => e.name),
        ),
      );
    expect(new Set(await ask(600))).toEqual(new Set(['TimeoutError']));
    expect(b.describe().counters.forwarded).toBe(600);
    await ask(600); // the 1,024th relayed request sweeps the first 600, all past their deadline
    expect(b.describe().counters.forwarded).toBeLessThan(600);
  });
});

describe('relay records without later traffic', () => {
  it('a relay forgets timed-out requests within a quarter second even when nothing else flows', async () => {
    const [a, b, c] = many(3, 'q');
    c.handle('never', () => new Promise(() => {}));
    await wire(line([a, b, c]));
    await a.reachable('never', { timeout: 2000 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        a.request('never', 1, { timeout: 20 }).catch((e: Error) => e.name),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(['TimeoutError']));
    expect(b.describe().counters.forwarded).toBe(20);
    await until(() => b.describe().counters.forwarded === 0, 'the sweep', 3000);
  });
});
