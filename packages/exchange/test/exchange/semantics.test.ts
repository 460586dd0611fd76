import { describe, expect, it } from 'vitest';
import { NoRouteError, localLinkPair, type ExchangeError, type Frame } from '../../src/index.js';
import { link, make, until } from './network.js';

describe('local handler choice', () => {
  it('the most specific local handler answers: literal, then *, then >', async () => {
    const ex = make({ id: 'spec' });
    ex.handle('users.>', () => '>');
    ex.handle('users.*', () => '*');
    expect(await ex.request('users.list')).toBe('*');
    const exact = ex.handle('users.list', () => 'exact');
    expect(await ex.request('users.list')).toBe('exact');
    expect(await ex.request('users.list.all')).toBe('>');
    exact();
    expect(await ex.request('users.list')).toBe('*');
  });
});

describe('requests and observers', () => {
  it('observers get a copy of a request; the handler still answers it once', async () => {
    const client = make({ id: 'c' });
    const server = make({ id: 's' });
    const watcher = make({ id: 'w' });
    let handled = 0;
    server.handle('sum', (m) => {
      handled++;
      return (m.value as number[]).reduce((a, b) => a + b, 0);
    });
    const seen: string[] = [];
    watcher.on('sum', (m) => seen.push(m.kind));
    await link(client, server);
    await link(client, watcher);
    await until(
      () => client.describe().routes.filter((r) => r.pattern === 'sum').length === 2,
      'routes',
    );
    expect(await client.request('sum', [1, 2, 3])).toBe(6);
    await until(() => seen.length === 1, 'watcher copy');
    expect([handled, seen]).toEqual([1, ['req']]);
  });

  it('a request that only observers could take fails with NoRouteError', async () => {
    const client = make({ id: 'c2' });
    const watcher = make({ id: 'w2' });
    watcher.on('orphan', () => {});
    await link(client, watcher);
    await until(() => client.describe().routes.some((r) => r.pattern === 'orphan'), 'route');
    await expect(client.request('orphan', 1)).rejects.toBeInstanceOf(NoRouteError);
  });

  it('$exchange.info without a target asks the exchange itself', async () => {
    const ex = make({ id: 'self', handlers: { 'a.b': () => 1 } });
    const info = await ex.request<{ id: string; handles: string[] }>('$exchange.info');
    expect(info.id).toBe('self');
    expect(info.handles).toContain('a.b');
  });
});

describe('refused and looping requests', () => {
  it('a request the link refuses (queue full) fails at once with CONGESTED', async () => {
    const a = make({ id: 'qa' });
    const b = make({ id: 'qb' });
    b.handle('work', () => 'done');
    const [mine, theirs] = localLinkPair({ maxQueued: 2, highWater: 2 });
    await Promise.all([a.attach(mine), b.attach(theirs)]);
    await until(() => a.describe().routes.some((r) => r.pattern === 'work'), 'route');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => a.request('work')));
    const codes = results.map((r) =>
      r.status === 'fulfilled' ? r.value : (r.reason as ExchangeError).code,
    );
    expect(codes).toEqual(['done', 'done', 'CONGESTED', 'CONGESTED', 'CONGESTED', 'CONGESTED']);
    expect(a.describe().counters.pending).toBe(0);
  });

  it('a request past the hop limit is answered with LOOP, not forwarded', async () => {
    const b = make({ id: 'lb', handlers: { echo: (m) => m.value } });
    const [mine, theirs] = localLinkPair();
    const got: Frame[] = [];
    mine.onFrame = (f) => got.push(f);
    mine.onClose = () => {};
    mine.onCongested = () => {};
    const attached = b.attach(theirs);
    mine.send({ t: 'hello', id: 'raw', protocol: 1, adverts: [{ k: 'n', p: 'raw', d: 0 }] });
    await attached;
    const trace = Array.from({ length: 40 }, (_, i) => ({ ex: `hop${i}`, at: Date.now() }));
    trace.push({ ex: 'raw', at: Date.now() });
    mine.send({
      t: 'msg',
      mode: 1,
      env: {
        id: 'raw:x:1',
        kind: 'req',
        name: 'echo',
        value: 1,
        from: 'raw',
        ts: Date.now(),
        trace,
        start: 0,
        deadline: Date.now() + 1000,
      },
    });
    await until(() => got.some((f) => f.t === 'msg'), 'the error reply');
    const reply = got.find((f) => f.t === 'msg');
    expect(reply?.t === 'msg' && [reply.env.kind, reply.env.error?.code]).toEqual(['err', 'LOOP']);
  });
});

describe('reachable()', () => {
  it('resolves once routes bring a handler (or an observer) within reach', async () => {
    const a = make({ id: 'ra' });
    const b = make({ id: 'rb' });
    const c = make({ id: 'rc' });
    await link(a, b);
    const waiting = a.reachable('db.query', { timeout: 2000 });
    const watching = a.reachable('db.changed', { observer: true, timeout: 2000 });
    await link(b, c);
    c.handle('db.query', () => 1);
    c.on('db.changed', () => {});
    await Promise.all([waiting, watching]);
    expect(await a.request('db.query')).toBe(1);
  });

  it('rejects with TimeoutError, or CancelledError when aborted', async () => {
    const a = make({ id: 'rt' });
    await expect(a.reachable('never', { timeout: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const ac = new AbortController();
    const waiting = a.reachable('never', { signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('send when every way out is full', () => {
  it('throws CONGESTED at once when the only link refuses and nothing local takes it', async () => {
    const a = make({ id: 'fa' });
    const b = make({ id: 'fb' });
    let got = 0;
    b.on('burst', () => got++);
    const [mine, theirs] = localLinkPair({ maxQueued: 3, highWater: 3 });
    await Promise.all([a.attach(mine), b.attach(theirs)]);
    await until(() => a.describe().routes.some((r) => r.pattern === 'burst'), 'route');
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        a.send('burst', i);
        outcomes.push('sent');
      } catch (e) {
        outcomes.push((e as ExchangeError).code);
      }
    }
    expect(outcomes).toEqual(['sent', 'sent', 'sent', 'CONGESTED', 'CONGESTED']);
    await until(() => got === 3, 'the three accepted');
  });

  it('does not throw when a local observer took the message', async () => {
    const a = make({ id: 'la' });
    const b = make({ id: 'lb2' });
    let local = 0;
    a.on('burst', () => local++);
    b.on('burst', () => {});
    const [mine, theirs] = localLinkPair({ maxQueued: 1, highWater: 1 });
    await Promise.all([a.attach(mine), b.attach(theirs)]);
    await until(() => a.describe().routes.some((r) => r.via.lb2 !== undefined), 'route');
    for (let i = 0; i < 3; i++) a.send('burst', i);
    expect(local).toBe(3);
  });
});

describe('$exchange.fatal', () => {
  it('a fatal error of the state (a circular dependency) is a system message others observe', async () => {
    const watcher = make({ id: 'fw' });
    const fatal: { from: string; value: { source: string; message: string } }[] = [];
    watcher.on('$exchange.fatal', (m) =>
      fatal.push({ from: m.from, value: m.value as { source: string; message: string } }),
    );
    const ex = make({
      id: 'fs',
      state: {
        loop: false,
        // Circular only once `loop` is set: a reads b, b reads a.
        a: (_: { loop: boolean; b: number }) => (_.loop ? _.b + 1 : 1),
        b: (_: { a: number }) => _.a + 1,
      },
    });
    await link(watcher, ex);
    await ex.reachable('$exchange.fatal', { observer: true, timeout: 2000 });
    expect(fatal).toEqual([]);
    ex.set('loop', true);
    expect(ex.state.b).toBeDefined(); // reading flushes the transaction
    await until(() => fatal.length > 0, 'fatal observed');
    expect(fatal[0].from).toBe('fs');
    expect(fatal[0].value).toMatchObject({
      source: 'state',
      message: expect.stringMatching(/circular/),
    });
  });
});

describe('route order and hand-written peers', () => {
  it('an observer added in the same turn as a request is known before the request arrives', async () => {
    const a = make({ id: 'oa' });
    const b = make({ id: 'ob' });
    b.handle('job.run', (msg, ctx) => {
      ctx.send('job.done', msg.value);
      return 'started';
    });
    await link(a, b);
    await a.reachable('job.run', { timeout: 2000 });
    const done: unknown[] = [];
    a.on('job.done', (m) => done.push(m.value)); // advertised in this turn…
    expect(await a.request('job.run', 7)).toBe('started'); // …and this request goes after it
    await until(() => done.length === 1, 'job.done');
    expect(done).toEqual([7]);
    expect(b.describe().counters.unhandled).toBe(0);
  });

  it('replies reach a direct peer that never advertised its own id', async () => {
    const b = make({ id: 'hb', handlers: { echo: (m) => m.value } });
    const [mine, theirs] = localLinkPair();
    const got: Frame[] = [];
    mine.onFrame = (f) => got.push(f);
    mine.onClose = () => {};
    mine.onCongested = () => {};
    const attached = b.attach(theirs);
    mine.send({ t: 'hello', id: 'bare', protocol: 1, adverts: [] });
    await attached;
    const now = Date.now();
    mine.send({
      t: 'msg',
      mode: 1,
      env: {
        id: 'bare:x:1',
        kind: 'req',
        name: 'echo',
        value: 'hi',
        from: 'bare',
        ts: now,
        trace: [{ ex: 'bare', at: now }],
        start: 0,
        deadline: now + 1000,
      },
    });
    await until(() => got.some((f) => f.t === 'msg'), 'the reply');
    const reply = got.find((f) => f.t === 'msg');
    expect(reply?.t === 'msg' && [reply.env.kind, reply.env.value]).toEqual(['rep', 'hi']);
  });
});
