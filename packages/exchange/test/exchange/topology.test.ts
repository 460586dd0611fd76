import { describe, expect, it } from 'vitest';
import type { Envelope, Exchange } from '../../src/index.js';
import {
  handlerKnown,
  line,
  many,
  mesh,
  observersKnown,
  quiet,
  ring,
  route,
  star,
  until,
  wire,
} from './network.js';

/** MAX_HOPS in routes.ts: a route this many hops long counts as unreachable. */
const MAX_HOPS = 16;

type Shape = (xs: Exchange[]) => [Exchange, Exchange][];

// Sizes keep the farthest node within MAX_HOPS - 1 of the handler (a line of 16, a ring of 30).
const SHAPES: [string, Shape, number][] = [
  ['line', line, MAX_HOPS],
  ['star', star, 50],
  ['ring', ring, 30],
  ['full mesh', mesh, 20],
];

/** Per exchange, how many times its observer got each message. */
function observeEverywhere(xs: Exchange[], pattern: string) {
  const counts = xs.map(() => new Map<string, number>());
  xs.forEach((x, i) =>
    x.on(pattern, (msg: Envelope) => counts[i].set(msg.id, (counts[i].get(msg.id) ?? 0) + 1)),
  );
  return counts;
}

describe.each(SHAPES)('%s of %i exchanges', (_shape, shape, n) => {
  it('a handler at one end is reached from every node', async () => {
    const xs = many(n);
    const end = xs[n - 1];
    end.handle('svc.echo', (msg) => `${end.id} got ${String(msg.value)}`);
    await wire(shape(xs));
    await until(handlerKnown(xs, 'svc.echo'), 'svc.echo routes everywhere');
    const replies = await Promise.all(xs.map((x) => x.requestMessage('svc.echo', x.id)));
    replies.forEach((reply, i) => {
      expect(reply.value).toBe(`${end.id} got x${i}`);
      // The reply's own journey is a shortest path back, loop-free.
      const path = reply.trace.map((h) => h.ex);
      expect(path[0]).toBe(`x${i}`);
      expect(path.at(-1)).toBe(`x${i}`);
    });
  });

  it('each observer gets each message exactly once (no duplicates, no loops)', async () => {
    const xs = many(n);
    await wire(shape(xs));
    const counts = observeEverywhere(xs, 'obs.>');
    await until(observersKnown(xs, 'obs.>'), 'obs.> routes everywhere');
    await quiet(xs);
    const senders = [xs[0], xs[Math.floor(n / 2)], xs[n - 1]];
    const sent = senders.flatMap((x) => [x.send('obs.a', 1), x.send('obs.b.c', 2)]);
    await until(
      () => counts.every((c) => sent.every((env) => c.has(env.id))),
      'every observer to get every message',
    );
    // Let any stray copies arrive before counting.
    await quiet(xs);
    counts.forEach((c) => {
      expect(c.size).toBe(sent.length);
      for (const env of sent) expect(c.get(env.id)).toBe(1);
    });
  });
});

describe('a full mesh losing a peer', () => {
  it('no exchange receives a message twice while a peer drops with messages in flight', async () => {
    const xs = many(12);
    await wire(mesh(xs));
    const counts = observeEverywhere(xs, 'load.>');
    let handled = 0;
    const handledIds = new Set<string>();
    xs[5].handle('load.work', (msg) => {
      handled++;
      handledIds.add(msg.id);
    });
    await until(observersKnown(xs, 'load.>'), 'load.> routes everywhere');
    await until(handlerKnown(xs, 'load.work'), 'load.work routes');
    await quiet(xs);

    const victim = xs[7];
    const sent: Envelope[] = [];
    for (let round = 0; round < 20; round++) {
      for (const x of xs) if (x !== victim) sent.push(x.send('load.work', round));
      // Mid-burst, with frames queued on every link: drop one peer's links.
      if (round === 10) for (const p of victim.describe().peers) victim.peer(p)!.link.close('drop');
    }
    const survivors = xs.filter((x) => x !== victim);
    const countsOf = (x: Exchange) => counts[xs.indexOf(x)];
    // In a full mesh each sender copies to every survivor directly, so nothing is lost.
    await until(
      () => survivors.every((x) => sent.every((e) => countsOf(x).has(e.id))),
      'every message to reach every survivor',
    );
    await quiet(survivors);
    for (const c of counts) for (const k of c.values()) expect(k).toBe(1);
    for (const x of survivors) expect(countsOf(x).size).toBe(sent.length);
    expect(handled).toBe(handledIds.size);
    expect(handled).toBe(sent.length);
  });
});

describe('convergence after a peer leaves', () => {
  it('routes through it are withdrawn and requests take the other way round the ring', async () => {
    const n = 10;
    const xs = many(n);
    const handler = xs[5];
    handler.handle('svc.ring', () => handler.id);
    await wire(ring(xs));
    await until(handlerKnown(xs, 'svc.ring'), 'svc.ring routes everywhere');
    await quiet(xs);
    // x2 reaches x5 the short way, through x3 and x4.
    const before = await xs[2].requestMessage('svc.ring');
    expect(before.trace.map((h) => h.ex).slice(0, 4)).toEqual(['x2', 'x3', 'x4', 'x5']);

    const leaving = xs[4];
    leaving.close();
    const rest = xs.filter((x) => x !== leaving);
    await until(
      () => rest.every((x) => route(x, 'exchange', leaving.id) === undefined),
      `every exchange to forget ${leaving.id}`,
    );
    await quiet(rest);
    for (const x of rest) {
      expect(route(x, 'exchange', leaving.id)).toBeUndefined();
      for (const r of x.describe().routes) expect(Object.keys(r.via)).not.toContain(leaving.id);
    }

    // Now the long way: x2 → x1 → x0 → x9 → … → x5.
    const afterwards = await xs[2].requestMessage('svc.ring');
    expect(afterwards.value).toBe('x5');
    expect(afterwards.trace.map((h) => h.ex).slice(0, 8)).toEqual([
      'x2',
      'x1',
      'x0',
      'x9',
      'x8',
      'x7',
      'x6',
      'x5',
    ]);
    // And every survivor still reaches the handler.
    await Promise.all(rest.map((x) => expect(x.request('svc.ring')).resolves.toBe('x5')));
  });

  it('beyond MAX_HOPS a handler is unreachable: NoRouteError, not a hang', async () => {
    const xs = many(MAX_HOPS + 1);
    xs[MAX_HOPS].handle('far.away', () => 'here');
    await wire(line(xs));
    await until(handlerKnown(xs.slice(1), 'far.away'), 'far.away routes within range');
    await quiet(xs);
    expect(route(xs[0], 'handle', 'far.away')).toBeUndefined();
    await expect(xs[0].request('far.away')).rejects.toMatchObject({ code: 'NO_ROUTE' });
    await expect(xs[1].request('far.away')).resolves.toBe('here');
  });
});
