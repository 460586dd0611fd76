import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  ExchangeError,
  NoRouteError,
  RemoteError,
  TimeoutError,
  type Exchange,
} from '../../src/index.js';
import {
  deferred,
  handlerKnown,
  line,
  link,
  make,
  next,
  observersKnown,
  quiet,
  until,
  wire,
} from './network.js';

/** Two replicas of a `jobs.run` handler, `r0` and `r1`, both connected to `client`. */
async function replicas() {
  const calls: string[] = [];
  const replica = (id: string) =>
    make({
      id,
      handlers: {
        'jobs.run': (msg) => {
          calls.push(`${id}:${String(msg.value)}`);
          return id;
        },
      },
    });
  const r0 = replica('r0');
  const r1 = replica('r1');
  const client = make({ id: 'client' });
  await link(client, r0);
  await link(client, r1);
  await until(handlerKnown([client], 'jobs.run'), 'jobs.run routes');
  return { client, r0, r1, calls };
}

/**
 * Send a marker to `to` from `from` (targeted) and wait until it arrives: whatever `from` sent
 * toward `to` before it has arrived too, since a path delivers in order.
 */
async function barrier(from: Exchange, to: Exchange): Promise<void> {
  const arrived = next(to, 'test.marker');
  from.send('test.marker', undefined, { to: to.id });
  await arrived;
}

describe('peer handles', () => {
  it('connect and ex.peer(id) give the same handle, with the peer id', async () => {
    const a = make({ id: 'a' });
    const b = make({ id: 'b' });
    const peer = await link(a, b);
    expect(peer.id).toBe('b');
    expect(a.peer('b')).toBe(peer);
    expect(a.peer('nobody')).toBeUndefined();
  });

  it('peer.send reaches that exchange only, though another one handles the name too', async () => {
    const { client, r0, calls } = await replicas();
    const seenAtR0: unknown[] = [];
    r0.on('jobs.run', (msg) => seenAtR0.push(msg.value));
    const env = client.peer('r1')!.send('jobs.run', 0, { headers: { via: 'peer' } });
    expect(env).toMatchObject({ to: 'r1', headers: { via: 'peer' } });
    for (let i = 1; i < 4; i++) client.peer('r1')!.send('jobs.run', i);
    await until(() => calls.length === 4, 'four jobs run');
    await barrier(client, r0);
    expect(calls).toEqual(['r1:0', 'r1:1', 'r1:2', 'r1:3']);
    expect(seenAtR0).toEqual([]);
  });

  it('peer.request asks that exchange only; ex.request balances over both', async () => {
    const { client } = await replicas();
    const r1 = client.peer('r1')!;
    const targeted = await Promise.all([1, 2, 3, 4].map((i) => r1.request<string>('jobs.run', i)));
    expect(targeted).toEqual(['r1', 'r1', 'r1', 'r1']);
    // The control: untargeted requests go round-robin, so the test above can tell the difference.
    const balanced = await Promise.all([1, 2, 3, 4].map((i) => client.request('jobs.run', i)));
    expect(new Set(balanced)).toEqual(new Set(['r0', 'r1']));
  });

  it('peer.request fails with the same typed errors as ex.request', async () => {
    const a = make({ id: 'a' });
    const started = deferred();
    const b = make({
      id: 'b',
      handlers: {
        'x.fail': () => {
          throw new ExchangeError('FORBIDDEN', 'no');
        },
        'x.hang': () => {
          started.resolve(undefined);
          return new Promise(() => {});
        },
      },
    });
    const peer = await link(a, b);

    await expect(peer.request('x.unknown')).rejects.toBeInstanceOf(NoRouteError);
    const remote = await peer.request('x.fail').catch((e: unknown) => e);
    expect(remote).toBeInstanceOf(RemoteError);
    expect(remote).toMatchObject({ code: 'REMOTE', remoteCode: 'FORBIDDEN', message: 'no' });
    await expect(peer.request('x.hang', 1, { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);

    const controller = new AbortController();
    const cancelled = peer.request('x.hang', 2, { signal: controller.signal });
    await started.promise;
    controller.abort();
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);

    // A handle on a peer that left: nothing routes to it any more.
    b.close();
    await until(() => a.peer('b') === undefined, 'b to leave');
    await expect(peer.request('x.fail')).rejects.toBeInstanceOf(NoRouteError);
    expect(a.describe().counters.pending).toBe(0);
  });

  it('peer.on observes only what arrived from that peer', async () => {
    const { client, r0, r1 } = await replicas();
    const fromR0: unknown[] = [];
    const off = client.peer('r0')!.on('news.*', (msg) => fromR0.push(msg.value));
    let arrived = 0;
    client.on('news.*', () => arrived++);
    await until(observersKnown([r0, r1], 'news.*'), 'news observer routes');
    r1.send('news.a', 'r1');
    r0.send('news.b', 'r0');
    client.send('news.c', 'client');
    await until(() => arrived === 3, 'all news at the client');
    expect(fromR0).toEqual(['r0']);
    off();
    expect(client.describe().observes).toEqual(['news.*']);
  });

  it('peer.on sees a message the peer targeted at this exchange', async () => {
    const { client, r0 } = await replicas();
    const fromR0: unknown[] = [];
    client.peer('r0')!.on('news.direct', (msg) => fromR0.push(msg.value));
    r0.peer('client')!.send('news.direct', 'targeted');
    await until(() => fromR0.length === 1, 'the targeted message');
    expect(fromR0).toEqual(['targeted']);
  });
});

describe('broadcast', () => {
  it("reaches each direct peer's handler and observers once, and no exchange two hops away", async () => {
    const hub = make({ id: 'hub' });
    const got: string[] = [];
    const node = (id: string) => {
      const ex = make({
        id,
        handlers: { ping: (msg) => got.push(`${id} handled ${String(msg.value)}`) },
      });
      ex.on('ping', (msg) => got.push(`${id} observed ${String(msg.value)} from ${msg.from}`));
      return ex;
    };
    const [a, b, far] = [node('a'), node('b'), node('far')];
    await wire([...line([hub, a, far]), [hub, b]]);
    // Every route is known, so a broadcast that leaked past a would reach far.
    await until(observersKnown([hub, a, b], 'ping'), 'ping observer routes');
    await quiet([hub, a, b, far]);

    hub.broadcast('ping', 1);
    await until(() => got.length === 4, 'a and b to handle and observe');
    await barrier(hub, far);
    expect(got.sort()).toEqual([
      'a handled 1',
      'a observed 1 from hub',
      'b handled 1',
      'b observed 1 from hub',
    ]);
  });
});
