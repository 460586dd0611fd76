import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  ExchangeError,
  NoRouteError,
  RemoteError,
  TimeoutError,
  isExchangeError,
  type RequestOptions,
} from '../../src/index.js';
import { deferred, handlerKnown, link, make, until } from './network.js';

describe('request/reply', () => {
  it('the founding example: browser → server → database, and back the same way', async () => {
    const database = make({
      id: 'database',
      handlers: { 'db.query': (msg) => ({ rows: [`row for ${String(msg.value)}`] }) },
    });
    const server = make({
      id: 'server',
      handlers: {
        'page.get': async (msg, ctx) => {
          const result = await ctx.request<{ rows: string[] }>('db.query', msg.value);
          return `<p>${result.rows[0]}</p>`;
        },
      },
    });
    const browser = make({ id: 'browser' });
    await link(browser, server);
    await link(server, database);
    await until(handlerKnown([browser, server], 'db.query'), 'db.query routes');

    const reply = await browser.requestMessage('page.get', 'home');
    expect(reply.value).toBe('<p>row for home</p>');
    expect(reply.kind).toBe('rep');
    expect(reply.trace.map((h) => h.ex)).toEqual([
      'browser',
      'server',
      'database',
      'server',
      'browser',
    ]);
    // Hops are stamped in order.
    const times = reply.trace.map((h) => h.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // The causal chain as the browser knows it: the reply, then the request it answers.
    const chain = browser.trace(reply.id);
    expect(chain.map((e) => [e.kind, e.name])).toEqual([
      ['rep', 'page.get'],
      ['req', 'page.get'],
    ]);
    expect(chain[0].cause).toBe(chain[1].id);

    // The server saw the whole chain: the database's reply, its query, the browser's request.
    const dbReply = server.log
      .query({ pattern: 'db.query', direction: 'in' })
      .map((entry) => entry.envelope)
      .find((e) => e.kind === 'rep');
    expect(dbReply).toBeDefined();
    const serverChain = server.trace(dbReply!.id);
    expect(serverChain.map((e) => [e.kind, e.name, e.from])).toEqual([
      ['rep', 'db.query', 'database'],
      ['req', 'db.query', 'server'],
      ['req', 'page.get', 'browser'],
    ]);
  });

  it('a local handler answers without any peer', async () => {
    const solo = make({ id: 'solo', handlers: { 'math.double': (m) => (m.value as number) * 2 } });
    await expect(solo.request('math.double', 21)).resolves.toBe(42);
  });

  it('request resolves with the value and requestMessage with the whole reply', async () => {
    const solo = make({ id: 'solo', handlers: { 'math.double': (m) => (m.value as number) * 2 } });
    await expect(solo.request('math.double', 4)).resolves.toBe(8);
    const reply = await solo.requestMessage('math.double', 5);
    expect([reply.kind, reply.value, reply.corr === undefined]).toEqual(['rep', 10, false]);
    // An answer of undefined is still a reply, not a missing one.
    solo.handle('math.nothing', () => undefined);
    await expect(solo.request('math.nothing')).resolves.toBeUndefined();
  });

  it('a timeout that is not a finite number of ms >= 0 is a RangeError, sent nowhere', async () => {
    const solo = make({ id: 'solo', handlers: { 'math.double': (m) => (m.value as number) * 2 } });
    for (const timeout of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      const error = await solo.request('math.double', 1, { timeout }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/^math\.double: timeout must be a finite number/);
    }
    expect(solo.describe().counters.sent).toBe(0);
    await expect(solo.request('math.double', 2, { timeout: 0 })).resolves.toBe(4);
    expect(() => make({ id: 'bad', defaultTimeout: -5 })).toThrow(RangeError);
    await expect(solo.reachable('math.double', { timeout: -1 })).rejects.toThrow(RangeError);
    // Options that are not an object reject too, rather than throw.
    const nullOptions = null as unknown as RequestOptions;
    await expect(solo.request('math.double', 1, nullOptions)).rejects.toThrow(TypeError);
  });

  it('a malformed name rejects (never throws) from request and requestMessage', async () => {
    const solo = make({ id: 'solo' });
    for (const ask of [() => solo.request('a..b'), () => solo.requestMessage('a..b')]) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = ask())).not.toThrow();
      const error = await promise!.catch((e: unknown) => e);
      expect(isExchangeError(error, 'INVALID_NAME')).toBe(true);
    }
    expect(solo.describe().counters.pending).toBe(0);
  });

  it('fails at once with NoRouteError when nothing handles the name', async () => {
    const a = make({ id: 'a' });
    const b = make({ id: 'b', handlers: { 'other.thing': () => 1 } });
    await link(a, b);
    const started = performance.now();
    const error = await a.request('nobody.home').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(50);
    expect(error).toBeInstanceOf(NoRouteError);
    expect(isExchangeError(error, 'NO_ROUTE')).toBe(true);
    expect(a.describe().counters.pending).toBe(0);
  });

  it('fails with TimeoutError near the deadline when the handler never answers', async () => {
    const a = make({ id: 'a' });
    const b = make({ id: 'b', handlers: { 'slow.op': () => new Promise(() => {}) } });
    await link(a, b);
    const started = performance.now();
    const error = await a.request('slow.op', undefined, { timeout: 100 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(400);
    expect(a.describe().counters.pending).toBe(0);
  });

  it('the exchange default timeout applies when the request gives none', async () => {
    const a = make({ id: 'a', defaultTimeout: 60 });
    a.handle('hang', () => new Promise(() => {}));
    await expect(a.request('hang')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('a handler that throws arrives as RemoteError with its message and code', async () => {
    const a = make({ id: 'a' });
    const b = make({
      id: 'b',
      handlers: {
        'admin.delete': () => {
          throw new ExchangeError('FORBIDDEN', 'admins only', { data: { role: 'guest' } });
        },
        'plain.throw': () => {
          throw new Error('boom');
        },
        'async.reject': async () => {
          await Promise.resolve();
          throw new ExchangeError('QUOTA_EXCEEDED', 'slow down');
        },
      },
    });
    await link(a, b);

    const forbidden = await a.request('admin.delete').catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(RemoteError);
    expect(forbidden).toMatchObject({
      code: 'REMOTE',
      remoteCode: 'FORBIDDEN',
      message: 'admins only',
      data: { role: 'guest' },
    });

    const plain = await a.request('plain.throw').catch((e: unknown) => e);
    expect(plain).toMatchObject({ code: 'REMOTE', remoteCode: 'INTERNAL', message: 'boom' });

    const rejected = await a.request('async.reject').catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: 'REMOTE', remoteCode: 'QUOTA_EXCEEDED' });
  });

  it('a RemoteError relayed through a middle handler still carries the original code', async () => {
    const back = make({
      id: 'back',
      handlers: {
        'inner.op': () => {
          throw new ExchangeError('FORBIDDEN', 'nope');
        },
      },
    });
    const mid = make({ id: 'mid', handlers: { 'outer.op': (_m, ctx) => ctx.request('inner.op') } });
    const front = make({ id: 'front' });
    await link(front, mid);
    await link(mid, back);
    const error = await front.request('outer.op').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE', remoteCode: 'FORBIDDEN', message: 'nope' });
  });

  it('an AbortSignal already aborted fails with CancelledError before sending', async () => {
    const a = make({ id: 'a' });
    let calls = 0;
    const b = make({ id: 'b', handlers: { 'x.y': () => ++calls } });
    await link(a, b);
    const error = await a
      .request('x.y', undefined, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(a.describe().counters.pending).toBe(0);
    // Nothing was sent: a later request is the handler's first call.
    await expect(a.request('x.y')).resolves.toBe(1);
  });

  it('aborting during a request fails it with CancelledError at once', async () => {
    const a = make({ id: 'a' });
    const started = deferred();
    const b = make({
      id: 'b',
      handlers: {
        'x.hang': () => {
          started.resolve(undefined);
          return new Promise(() => {});
        },
      },
    });
    await link(a, b);
    const controller = new AbortController();
    const request = a.request('x.hang', undefined, { signal: controller.signal, timeout: 10_000 });
    await started.promise;
    controller.abort();
    await expect(request).rejects.toBeInstanceOf(CancelledError);
    expect(a.describe().counters.pending).toBe(0);
  });

  it('1,000 aborted requests leave nothing pending', async () => {
    const a = make({ id: 'a' });
    const b = make({ id: 'b', handlers: { 'x.hang': () => new Promise(() => {}) } });
    await link(a, b);
    const controllers = Array.from({ length: 1000 }, () => new AbortController());
    const requests = controllers.map((c) =>
      a.request('x.hang', undefined, { signal: c.signal, timeout: 10_000 }),
    );
    expect(a.describe().counters.pending).toBe(1000);
    for (const c of controllers) c.abort();
    const results = await Promise.allSettled(requests);
    expect(
      results.every((r) => r.status === 'rejected' && r.reason instanceof CancelledError),
    ).toBe(true);
    expect(a.describe().counters.pending).toBe(0);
  });

  it('a reply after the requester gave up is dropped, not delivered', async () => {
    const a = make({ id: 'a' });
    const answer = deferred();
    const b = make({ id: 'b', handlers: { 'x.late': () => answer.promise } });
    await link(a, b);
    await expect(a.request('x.late', undefined, { timeout: 20 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    const dropped = a.describe().counters.dropped;
    answer.resolve('too late');
    await until(() => a.describe().counters.dropped > dropped, 'the late reply to be dropped');
    expect(a.describe().counters.pending).toBe(0);
  });

  it('closing the exchange fails its pending requests with TRANSPORT_CLOSED', async () => {
    const a = make({ id: 'a' });
    const b = make({ id: 'b', handlers: { 'x.hang': () => new Promise(() => {}) } });
    await link(a, b);
    const request = a.request('x.hang');
    a.close();
    await expect(request).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });
});
