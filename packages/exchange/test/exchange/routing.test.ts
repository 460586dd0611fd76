import { describe, expect, it } from 'vitest';
import {
  localLinkPair,
  type Envelope,
  type Exchange,
  type Frame,
  type Link,
} from '../../src/index.js';
import {
  handlerKnown,
  link,
  make,
  many,
  next,
  observersKnown,
  quiet,
  route,
  star,
  turn,
  until,
  wire,
} from './network.js';

/** Count, per exchange, the copies its observers got of each non-system message. */
function countObserved(xs: Exchange[], pattern: string) {
  const counts = new Map<string, Map<string, number>>();
  for (const x of xs) {
    const mine = new Map<string, number>();
    counts.set(x.id, mine);
    x.on(pattern, (msg: Envelope) => {
      if (msg.name.startsWith('$exchange.')) return;
      mine.set(msg.id, (mine.get(msg.id) ?? 0) + 1);
    });
  }
  return counts;
}

/** Wrap a link pair so every frame arrives a macrotask late, as over a real network. */
function slow(pair: [Link, Link]): [Link, Link] {
  return [delayed(pair[0]), delayed(pair[1])];
}

function delayed(inner: Link): Link {
  const outer: Link = {
    get state() {
      return inner.state;
    },
    send: (frame: Frame) => inner.send(frame),
    close: (reason?: string) => inner.close(reason),
    onFrame: () => {},
    onClose: () => {},
    onCongested: () => {},
  };
  inner.onFrame = (frame) => setImmediate(() => outer.onFrame(frame));
  inner.onClose = (reason) => outer.onClose(reason);
  inner.onCongested = (congested) => outer.onCongested(congested);
  return outer;
}

describe('observers', () => {
  it('every observer in the network gets exactly one copy, for `*` and `>` alike', async () => {
    const xs = many(6);
    await wire(star(xs));
    const stars = countObserved(xs, 'news.*');
    const rests = countObserved(xs, 'news.>');
    await until(observersKnown(xs, 'news.*'), 'news.* routes');
    await until(observersKnown(xs, 'news.>'), 'news.> routes');
    await quiet(xs);

    const sent = [xs[0].send('news.today', 1), xs[3].send('news.today', 2)];
    // `news.>` matches deeper names; `news.*` does not.
    const deep = xs[5].send('news.sport.today', 3);
    await until(
      () => xs.every((x) => rests.get(x.id)!.size === 3 && stars.get(x.id)!.size === 2),
      'every observer to get every message',
    );
    for (const x of xs) {
      for (const env of sent) expect(stars.get(x.id)!.get(env.id)).toBe(1);
      for (const env of [...sent, deep]) expect(rests.get(x.id)!.get(env.id)).toBe(1);
      expect(stars.get(x.id)!.has(deep.id)).toBe(false);
    }
  });

  it('a message is both handled once and observed everywhere', async () => {
    const xs = many(4);
    await wire(star(xs));
    let handled = 0;
    xs[2].handle('job.run', () => void handled++);
    const seen = countObserved(xs, 'job.>');
    await until(handlerKnown(xs, 'job.run'), 'job.run routes');
    await until(observersKnown(xs, 'job.>'), 'job.> routes');
    const env = xs[3].send('job.run', 'x');
    await until(() => xs.every((x) => seen.get(x.id)!.get(env.id) === 1), 'all observers');
    expect(handled).toBe(1);
  });

  it('emits $exchange.unhandled when nothing handles or observes a message', async () => {
    const [a, b] = many(2);
    await link(a, b);
    const unhandled = next(a, '$exchange.unhandled');
    const env = a.send('nobody.listens', 1);
    await expect(unhandled).resolves.toEqual({ message: env.id, name: 'nobody.listens' });
    expect(a.describe().counters.unhandled).toBe(1);

    // Observed somewhere counts as taken.
    b.on('somebody.*', () => {});
    await until(observersKnown([a], 'somebody.*'), 'somebody.* route');
    a.send('somebody.listens');
    expect(a.describe().counters.unhandled).toBe(1);
  });

  it('$exchange.peer.connected and .disconnected are observable', async () => {
    const [a, b] = many(2);
    const connected = next(a, '$exchange.peer.connected');
    await link(a, b);
    await expect(connected).resolves.toEqual({ peer: 'x1' });
    const disconnected = next(a, '$exchange.peer.disconnected');
    b.close();
    await expect(disconnected).resolves.toMatchObject({ peer: 'x1' });
    expect(a.describe().peers).toEqual([]);
  });

  it('an observer can be removed, and its route is withdrawn', async () => {
    const [a, b] = many(2);
    await link(a, b);
    const got: unknown[] = [];
    const off = b.on('t.x', (m) => got.push(m.value));
    await until(observersKnown([a], 't.x'), 't.x route at a');
    a.send('t.x', 1);
    await until(() => got.length === 1, 'the first copy');
    off();
    await until(() => route(a, 'observe', 't.x') === undefined, 't.x withdrawn at a');
    a.send('t.x', 2);
    expect(got).toEqual([1]);
  });
});

describe('route advertisement', () => {
  it('routes learned before a peer connected are withdrawn from it later (regression: hello adverts were not recorded)', async () => {
    // a — b — c, linked in that order, so b tells c about a in its hello.
    const [a, b, c] = many(3);
    a.handle('svc.a', () => 'a');
    await link(a, b);
    await until(handlerKnown([b], 'svc.a'), 'svc.a at b');
    await link(b, c);
    await until(() => route(c, 'exchange', 'x0') !== undefined, 'c to learn x0');
    expect(route(c, 'handle', 'svc.a')?.via).toEqual({ x1: 2 });

    a.close();
    await until(
      () => route(c, 'exchange', 'x0') === undefined && route(c, 'handle', 'svc.a') === undefined,
      'c to forget x0 and svc.a',
    );
    await expect(c.request('svc.a')).rejects.toMatchObject({ code: 'NO_ROUTE' });
  });

  it('a capability added while the hellos are on their way still reaches the new peer (regression: changes between hello and peer were lost)', async () => {
    const [a, b] = many(2);
    const [la, lb] = slow(localLinkPair());
    const linking = Promise.all([a.attach(la), b.attach(lb)]);
    // b has sent its hello but has no peer yet: this change must not be lost.
    b.handle('late.cap', () => 'late');
    const off = b.handle('gone.cap', () => 'gone');
    await turn();
    off();
    await linking;
    await until(handlerKnown([a], 'late.cap'), 'late.cap at a');
    await expect(a.request('late.cap')).resolves.toBe('late');
    expect(route(a, 'handle', 'gone.cap')).toBeUndefined();
  });

  it('a removed handler is withdrawn across the network', async () => {
    const xs = many(4);
    await wire(star(xs));
    const off = xs[1].handle('h.x', () => 1);
    await until(handlerKnown(xs, 'h.x'), 'h.x everywhere');
    off();
    await until(() => xs.every((x) => route(x, 'handle', 'h.x') === undefined), 'h.x withdrawn');
    await expect(xs[2].request('h.x')).rejects.toMatchObject({ code: 'NO_ROUTE' });
  });

  it('refuses a second link from an exchange id it already has as a peer', async () => {
    const a = make({ id: 'a' });
    const b = make({ id: 'b' });
    await link(a, b);
    const twin = make({ id: 'b' });
    await expect(link(twin, a)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
    expect(a.describe().peers).toEqual(['b']);
  });
});
