import { describe, expect, it } from 'vitest';
import type { BalanceStrategy, Exchange, FailoverPolicy } from '../../src/index.js';
import { deferred, handlerKnown, link, make, quiet, until } from './network.js';

/**
 * A requester and three handlers of `work.do` behind a hub that balances with `balance`. A
 * handler replies with its id; the first request whose value is 'hold' is held until released.
 */
async function hubOfThree(balance: BalanceStrategy) {
  const hub = make({ id: 'hub', balance });
  const client = make({ id: 'client' });
  const started = deferred<string>();
  const release = deferred<void>();
  let holding = false;
  const handlers = ['h0', 'h1', 'h2'].map((id) =>
    make({
      id,
      handlers: {
        'work.do': async (msg) => {
          // Only the first 'hold' is held, so a retry of it is answered.
          if (msg.value === 'hold' && !holding) {
            holding = true;
            started.resolve(id);
            await release.promise;
          }
          return id;
        },
      },
    }),
  );
  await link(client, hub);
  for (const h of handlers) await link(hub, h);
  const all = [hub, client, ...handlers];
  await until(handlerKnown([client], 'work.do'), 'work.do at the client');
  await until(
    () => Object.keys(hub.describe().routes.find((r) => r.pattern === 'work.do')!.via).length === 3,
    'three work.do routes at the hub',
  );
  await quiet(all);
  return { hub, client, handlers, started, release };
}

/** Who answered, per handler id, over `n` sequential requests. */
async function tally(
  client: Exchange,
  n: number,
  options: (i: number) => { key?: string } = () => ({}),
) {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = await client.request<string>('work.do', i, options(i));
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

describe('load balancing across three handlers behind a hub', () => {
  it('round-robin spreads evenly', async () => {
    const { client } = await hubOfThree('round-robin');
    expect(await tally(client, 30)).toEqual({ h0: 10, h1: 10, h2: 10 });
  });

  it('round-robin spreads concurrent requests evenly too', async () => {
    const { client } = await hubOfThree('round-robin');
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.request<string>('work.do', i)),
    );
    const counts: Record<string, number> = {};
    for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
    expect(counts).toEqual({ h0: 10, h1: 10, h2: 10 });
  });

  it('least-outstanding prefers idle handlers', async () => {
    const { client, started, release } = await hubOfThree('least-outstanding');
    const held = client.request<string>('work.do', 'hold');
    const busy = await started.promise;
    const counts = await tally(client, 20);
    expect(counts[busy]).toBeUndefined();
    release.resolve();
    await expect(held).resolves.toBe(busy);
  });

  it('least-outstanding gives three concurrent slow requests to three handlers', async () => {
    const { client, handlers } = await hubOfThree('least-outstanding');
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    for (const h of handlers) {
      const gate = deferred<void>();
      gates.set(h.id, gate);
      h.handle('work.slow', async () => {
        await gate.promise;
        return h.id;
      });
    }
    await until(handlerKnown([client], 'work.slow'), 'work.slow at the client');
    const requests = [0, 1, 2].map((i) => client.request<string>('work.slow', i));
    await until(() => handlers.every((h) => h.describe().counters.in > 0), 'every handler busy');
    for (const gate of gates.values()) gate.resolve();
    expect((await Promise.all(requests)).sort()).toEqual(['h0', 'h1', 'h2']);
  });

  it('sticky sends the same key to the same handler', async () => {
    const { client } = await hubOfThree('sticky');
    const owner = new Map<string, string>();
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 20; k++) {
        const key = `user-${k}`;
        const id = await client.request<string>('work.do', round, { key });
        if (!owner.has(key)) owner.set(key, id);
        expect(id).toBe(owner.get(key));
      }
    }
    // Twenty keys do not all land on one handler.
    expect(new Set(owner.values()).size).toBeGreaterThan(1);
  });

  it('random uses every handler', async () => {
    const { client } = await hubOfThree('random');
    const counts = await tally(client, 90);
    expect(Object.keys(counts).sort()).toEqual(['h0', 'h1', 'h2']);
  });
});

describe('failover when a handler leaves with a request in flight', () => {
  async function dropBusyHandler(failover: FailoverPolicy) {
    const { hub, client, started } = await hubOfThree('round-robin');
    const request = client.request<string>('work.do', 'hold', { failover, timeout: 2000 });
    const busy = await started.promise;
    // The hub loses its link to the handler working on the request.
    hub.peer(busy)!.link.close('handler crashed');
    return { request, busy };
  }

  it("'retry' has another handler answer", async () => {
    const { request, busy } = await dropBusyHandler('retry');
    const answeredBy = await request;
    expect(['h0', 'h1', 'h2']).toContain(answeredBy);
    expect(answeredBy).not.toBe(busy);
  });

  it("'at-most-once' fails with TRANSPORT_CLOSED", async () => {
    const { request } = await dropBusyHandler('at-most-once');
    await expect(request).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it("'retry' works when the requester itself loses the handler's link (no hub)", async () => {
    const client = make({ id: 'client' });
    const started = deferred<string>();
    let holding = false;
    const handlers = ['h0', 'h1'].map((id) =>
      make({
        id,
        handlers: {
          'work.do': (msg) => {
            if (msg.value !== 'hold' || holding) return id;
            holding = true;
            started.resolve(id);
            return new Promise(() => {});
          },
        },
      }),
    );
    for (const h of handlers) await link(client, h);
    await until(
      () =>
        Object.keys(client.describe().routes.find((r) => r.pattern === 'work.do')?.via ?? {})
          .length === 2,
      'two work.do routes',
    );
    const request = client.request<string>('work.do', 'hold', { failover: 'retry' });
    const busy = await started.promise;
    client.peer(busy)!.link.close('gone');
    const answeredBy = await request;
    expect(answeredBy).not.toBe(busy);
    expect(client.describe().counters.pending).toBe(0);
  });

  it("'at-most-once' fails at the requester itself with TRANSPORT_CLOSED (no hub)", async () => {
    const client = make({ id: 'client', failover: 'at-most-once' });
    const started = deferred<void>();
    const handler = make({
      id: 'h0',
      handlers: {
        'work.do': () => {
          started.resolve();
          return new Promise(() => {});
        },
      },
    });
    await link(client, handler);
    await until(handlerKnown([client], 'work.do'), 'work.do at the client');
    const request = client.request('work.do');
    await started.promise;
    client.peer('h0')!.link.close('gone');
    await expect(request).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(client.describe().counters.pending).toBe(0);
  });
});

describe('congested handlers', () => {
  it('requests avoid a handler whose link is congested while another has room', async () => {
    const { exchange, localLinkPair } = await import('../../src/index.js');
    const client = exchange({ id: 'cc' });
    const slow = exchange({ id: 'slow' });
    const fast = exchange({ id: 'fast' });
    try {
      slow.handle('work', () => 'slow');
      fast.handle('work', () => 'fast');
      // The link to `slow` is congested at 2 queued frames; the one to `fast` has plenty of room.
      const [toSlow, slowEnd] = localLinkPair({ maxQueued: 4, highWater: 2 });
      await Promise.all([client.attach(toSlow), slow.attach(slowEnd)]);
      await client.connect({ transport: 'local', exchange: fast });
      await until(
        () => client.describe().routes.find((r) => r.pattern === 'work')?.via.fast !== undefined,
        'both routes',
      );
      await until(
        () => client.describe().routes.find((r) => r.pattern === 'work')?.via.slow !== undefined,
        'both routes',
      );
      const replies = await Promise.allSettled(
        Array.from({ length: 20 }, () => client.request('work')),
      );
      const codes = replies.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'));
      expect(codes.filter((c) => c === 'failed')).toEqual([]);
      expect(codes.filter((c) => c === 'slow').length).toBeLessThanOrEqual(2);
    } finally {
      for (const ex of [client, slow, fast]) ex.close();
    }
  });
});
