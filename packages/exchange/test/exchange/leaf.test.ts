// Leaves (docs/concepts.md, "Leaves"): an exchange that says `leaf: true` in its hello is told
// none of its hub's routes to other leaves and sends its hub whatever it cannot deliver itself.
// Over the local transport (leaf: true given) and over WebSocket (the default for a client).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/hub/config.js';
import { startHub } from '../../src/hub/hub.js';
import { createLogger } from '../../src/hub/logger.js';
import type { Envelope, Exchange } from '../../src/index.js';
import { make, until } from './network.js';

/** A hub with `n` leaves `leaf0…`, each observing `own.<its id>`, linked over `local`. */
async function hubWithLeaves(n: number, hubId = 'hub') {
  const hub = make({ id: hubId });
  const leaves: Exchange[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = make({ id: `leaf${i}` });
    leaf.on(`own.${leaf.id}`, () => {});
    await leaf.connect({ transport: 'local', exchange: hub, leaf: true });
    leaves.push(leaf);
  }
  await until(() => hub.describe().routes.length === 1 + 2 * n, 'the hub to learn every leaf');
  return { hub, leaves };
}

const routesOf = (ex: Exchange) =>
  ex
    .describe()
    .routes.map((r) => `${r.kind} ${r.pattern}`)
    .sort();

describe('leaves', () => {
  it('a leaf learns only its hub, not the other leaves; the hub learns every leaf', async () => {
    const { hub, leaves } = await hubWithLeaves(20);
    hub.handle('hub.time', () => 0);
    await until(() => routesOf(leaves[0]).includes('handle hub.time'), "the hub's own handler");
    for (const leaf of leaves) {
      expect(routesOf(leaf)).toEqual([
        'exchange hub',
        `exchange ${leaf.id}`,
        'handle hub.time',
        `observe own.${leaf.id}`,
      ]);
    }
    expect(hub.describe().routes).toHaveLength(1 + 2 * 20 + 1);
  });

  it("a peer that is not a leaf still learns every leaf's routes, from the hub's hello on", async () => {
    const { hub } = await hubWithLeaves(3);
    const relay = make({ id: 'relay' });
    await relay.connect({ transport: 'local', exchange: hub });
    await until(() => routesOf(relay).length === 1 + 1 + 2 * 3, "every leaf's routes");
    expect(routesOf(relay)).toContain('observe own.leaf2');
    expect(routesOf(relay)).toContain('exchange leaf1');
  });

  it('requests and replies between leaves go through the hub, with the whole trace', async () => {
    const { leaves } = await hubWithLeaves(3);
    leaves[2].handle('calc.double', (m) => (m.value as number) * 2);
    await leaves[0].reachable('calc.double', { timeout: 2000 });
    const reply = await leaves[0].requestMessage('calc.double', 21);
    expect(reply.value).toBe(42);
    expect(reply.trace.map((h) => h.ex)).toEqual(['leaf0', 'hub', 'leaf2', 'hub', 'leaf0']);
  });

  it('a request nobody handles fails with NO_ROUTE from the hub, at once', async () => {
    const { leaves } = await hubWithLeaves(2);
    await expect(leaves[0].request('nobody.home', 1, { timeout: 60_000 })).rejects.toMatchObject({
      code: 'NO_ROUTE',
    });
    await expect(
      leaves[0].request('nobody.home', 1, { to: 'ghost', timeout: 60_000 }),
    ).rejects.toMatchObject({ code: 'NO_ROUTE' });
  });

  it('an observer on one leaf gets what another leaf sends; the hub forwards only to it', async () => {
    const { hub, leaves } = await hubWithLeaves(4);
    const got: unknown[] = [];
    leaves[1].on('news.today', (m) => got.push(m.value));
    await leaves[3].reachable('news.today', { observer: true, timeout: 2000 });
    const out = hub.describe().counters.out;
    leaves[3].send('news.today', 'sunny');
    await until(() => got.length === 1, 'the observer');
    expect(got).toEqual(['sunny']);
    expect(hub.describe().counters.out - out).toBe(1);
  });

  it('peer-targeted sends and requests reach the one leaf they name', async () => {
    const { leaves } = await hubWithLeaves(3);
    const got: string[] = [];
    leaves[1].handle('ping', (m) => void got.push(`1:${String(m.value)}`));
    leaves[2].handle('ping', (m) => {
      got.push(`2:${String(m.value)}`);
      return 'pong';
    });
    leaves[0].send('ping', 'a', { to: 'leaf2' });
    expect(await leaves[0].request('ping', 'b', { to: 'leaf2' })).toBe('pong');
    await until(() => got.length === 2, 'both pings');
    expect(got).toEqual(['2:a', '2:b']);
  });

  it('reachable() on a leaf asks its hub, and waits for a handler that comes later', async () => {
    const { leaves } = await hubWithLeaves(2);
    const waiting = leaves[0].reachable('later.op', { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    leaves[1].handle('later.op', () => 'ok');
    await waiting;
    expect(await leaves[0].request('later.op')).toBe('ok');
    await expect(leaves[0].reachable('never.op', { timeout: 50 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('shared state follows an export on another leaf, through the hub', async () => {
    const hub = make({ id: 'hub' });
    const source = make({ id: 'source', state: { temp: 20 }, exports: ['temp'] });
    const sink = make({ id: 'sink', imports: { temp: 'source.temp' } });
    await source.connect({ transport: 'local', exchange: hub, leaf: true });
    await sink.connect({ transport: 'local', exchange: hub, leaf: true });
    await until(() => sink.state.temp === 20, 'the first value');
    source.set('temp', 25);
    await until(() => sink.state.temp === 25, 'the change');
  });

  it('a message that only loops back is not sent to the hub again (no ping-pong)', async () => {
    const { hub, leaves } = await hubWithLeaves(2);
    // The hub has no handler for it and the leaf's only way out is the hub it came from.
    const seen: Envelope[] = [];
    leaves[0].on('$exchange.dropped', (m) => seen.push(m), { local: true });
    await expect(leaves[0].request('loop.x', 1, { timeout: 60_000 })).rejects.toMatchObject({
      code: 'NO_ROUTE',
    });
    expect(hub.describe().counters.in).toBeLessThan(10);
    expect(seen).toEqual([]);
  });

  it("a leaf's system messages stay home unless an observer of them is known", async () => {
    const { hub, leaves } = await hubWithLeaves(2);
    const late = make({ id: 'late' });
    await late.connect({ transport: 'local', exchange: hub, leaf: true });
    late.close();
    await until(() => !hub.describe().peers.includes('late'), 'late to leave');
    expect(hub.log.query({ pattern: '$exchange.>', direction: 'in' })).toEqual([]);
    // An observer on the hub is known to every leaf: then their system messages come.
    hub.on('$exchange.peer.>', () => {});
    await until(() => routesOf(leaves[0]).includes('observe $exchange.peer.>'), 'the route');
    const again = make({ id: 'again' });
    await again.connect({ transport: 'local', exchange: hub, leaf: true });
    await until(
      () => hub.log.query({ pattern: '$exchange.peer.connected', direction: 'in' }).length === 1,
      "the leaf's own peer.connected",
    );
  });
});

describe('leaves over WebSocket', () => {
  it('a client is a leaf by default: it knows O(1) routes however many clients there are', async () => {
    const hub = make({ id: 'wshub' });
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const clients: Exchange[] = [];
    for (let i = 0; i < 30; i++) {
      const c = make({ id: `c${i}` });
      c.on(`idle.c${i}`, () => {});
      await c.connect({ transport: 'websocket', url: listener.url, reconnect: false });
      clients.push(c);
    }
    await until(() => hub.describe().routes.length === 1 + 2 * 30, 'the hub to learn them');
    expect(routesOf(clients[29])).toEqual(['exchange c29', 'exchange wshub', 'observe idle.c29']);
    // Messages between two of them still flow.
    const got: unknown[] = [];
    clients[3].on('chat', (m) => got.push(m.value));
    await clients[7].reachable('chat', { observer: true, timeout: 2000 });
    clients[7].send('chat', 'hi');
    await until(() => got.length === 1, 'the chat message');
  });

  it('leaf: false opts out: the client learns every other client', async () => {
    const hub = make({ id: 'wshub2' });
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    for (let i = 0; i < 3; i++) {
      const c = make({ id: `d${i}` });
      c.on(`idle.d${i}`, () => {});
      await c.connect({ transport: 'websocket', url: listener.url, reconnect: false });
    }
    const full = make({ id: 'full' });
    await full.connect({ transport: 'websocket', url: listener.url, leaf: false });
    await until(() => routesOf(full).length === 2 + 2 * 3, 'every route');
    expect(routesOf(full)).toContain('observe idle.d1');
  });

  it('an exchange that listens is not a leaf when it connects', async () => {
    const hub = make({ id: 'wshub3' });
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const c = make({ id: 'e0' });
    c.on('idle.e0', () => {});
    await c.connect({ transport: 'websocket', url: listener.url, reconnect: false });
    const relay = make({ id: 'relay2' });
    await relay.listen({ transport: 'websocket', port: 0 });
    await relay.connect({ transport: 'websocket', url: listener.url, reconnect: false });
    await until(() => routesOf(relay).includes('observe idle.e0'), "the client's route");
  });
});

describe("the hub's log observers (finding 8)", () => {
  it('are not advertised, so clients do not forward their own system messages', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ ...DEFAULTS, pretty: false, logLevel: 'info' }, sink);
    const hub = await startHub({ ...DEFAULTS, port: 0, demo: false }, { logger });
    try {
      // Not a leaf, so it would hear of any observer the hub advertised.
      const c = make({ id: 'full-client' });
      await c.connect({ transport: 'websocket', url: hub.wsUrl, leaf: false });
      await until(() => lines.some((l) => l.includes('peer connected')), 'the log line');
      expect(routesOf(c).filter((r) => r.startsWith('observe'))).toEqual([]);
      c.close();
      await until(() => lines.some((l) => l.includes('peer disconnected')), 'the log line');
      expect(hub.exchange.log.query({ pattern: '$exchange.>', direction: 'in' })).toEqual([]);
    } finally {
      await hub.close();
    }
  });
});
