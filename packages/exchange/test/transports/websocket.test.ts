import { afterEach, describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { exchange, type Exchange } from '../../src/index.js';

// A full collection, to see what is still held.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const open: Exchange[] = [];
afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
});
function make(id: string): Exchange {
  const ex = exchange({ id });
  open.push(ex);
  return ex;
}

describe('websocket transport (real sockets on loopback)', () => {
  it('a client asks a server through a hub, and observes what the server emits', async () => {
    const hub = make('hub');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    expect(listener.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    const server = make('server');
    server.handle('users.list', (_m, ctx) => {
      ctx.send('users.listed', 2);
      return ['ada', 'linus'];
    });
    const client = make('client');
    const seen: number[] = [];
    client.on('users.listed', (m) => seen.push(m.value as number));
    await server.connect({ transport: 'websocket', url: listener.url });
    await client.connect({ transport: 'websocket', url: listener.url });
    await client.reachable('users.list', { timeout: 2000 });
    await server.reachable('users.listed', { observer: true, timeout: 2000 });
    const reply = await client.requestMessage('users.list');
    expect(reply.value).toEqual(['ada', 'linus']);
    expect(reply.trace.map((h) => h.ex)).toEqual(['client', 'hub', 'server', 'hub', 'client']);
    await expect.poll(() => seen).toEqual([2]);
  });

  it('logs relayed messages from the bytes they came in, read back as they were relayed', async () => {
    const hub = make('hub-log');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const server = make('server-log');
    server.handle('echo', (m) => ({ echoed: m.value }));
    const client = make('client-log');
    await server.connect({ transport: 'websocket', url: listener.url });
    await client.connect({ transport: 'websocket', url: listener.url });
    await client.reachable('echo', { timeout: 2000 });
    const reply = await client.requestMessage('echo', { n: 1, text: 'é€😀' });
    const entries = hub.log.query({ pattern: 'echo' });
    const summary = entries.map((e) => [e.direction, e.peer, e.envelope.kind]);
    expect(summary).toEqual([
      ['in', 'client-log', 'req'],
      ['out', 'server-log', 'req'],
      ['in', 'server-log', 'rep'],
      ['out', 'client-log', 'rep'],
    ]);
    for (const { envelope, at } of entries) {
      // As the hub had it: its own hop last, timed when it was logged.
      expect(envelope.trace.at(-1)).toEqual({ ex: 'hub-log', at });
    }
    const [reqIn, reqOut, repIn, repOut] = entries.map((e) => e.envelope);
    expect(reqIn).toEqual(reqOut);
    expect(reqIn.value).toEqual({ n: 1, text: 'é€😀' });
    expect(repIn).toEqual(repOut);
    expect(repOut.id).toBe(reply.id);
    expect(repOut.value).toEqual({ echoed: { n: 1, text: 'é€😀' } });
    // The client's copy has one hop more, its own.
    expect([...repOut.trace, reply.trace.at(-1)]).toEqual(reply.trace);
    // Read back from bytes: every read makes a new envelope (an object entry gives its own).
    const find = () => hub.log.findEnvelope((env) => env.id === reply.id);
    expect(find()).not.toBe(find());
  });

  it('logs what it sends from the bytes its codec writes, its own hop once', async () => {
    const hub = make('hub-sent');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const server = make('server-sent');
    server.handle('echo', (m) => ({ echoed: m.value }));
    const client = make('client-sent');
    await server.connect({ transport: 'websocket', url: listener.url });
    await client.connect({ transport: 'websocket', url: listener.url });
    await client.reachable('echo', { timeout: 2000 });
    const reply = await client.requestMessage('echo', { n: 2, text: 'é€😀' });
    // The client's request and the server's reply, as each sent them.
    const [request] = client.log.query({ pattern: 'echo', direction: 'out' });
    expect(request.peer).toBe('hub-sent');
    expect(request.envelope).toMatchObject({ kind: 'req', name: 'echo', from: 'client-sent' });
    expect(request.envelope.value).toEqual({ n: 2, text: 'é€😀' });
    expect(request.envelope.trace).toEqual([{ ex: 'client-sent', at: request.at }]);
    const [sent] = server.log.query({ pattern: 'echo', direction: 'out' });
    expect(sent.envelope.id).toBe(reply.id);
    expect(sent.envelope.value).toEqual({ echoed: { n: 2, text: 'é€😀' } });
    // Its trace ends with the server's own hop, once: what the hub received.
    const [received] = hub.log.query({ pattern: 'echo', direction: 'in', peer: 'server-sent' });
    expect(sent.envelope.trace.map((h) => h.ex)).toEqual([
      'client-sent',
      'hub-sent',
      'server-sent',
    ]);
    expect([...sent.envelope.trace, { ex: 'hub-sent', at: received.at }]).toEqual(
      received.envelope.trace,
    );
    // Read back from bytes: every read makes a new envelope.
    const find = () => client.log.findEnvelope((env) => env.id === request.envelope.id);
    expect(find()).toEqual(request.envelope);
    expect(find()).not.toBe(find());
  });

  it('logs a broadcast as each peer got it (a copy per peer, each with its own `to`)', async () => {
    const hub = make('hub-cast');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const got: [string, unknown][] = [];
    for (const id of ['cast-a', 'cast-b', 'cast-c']) {
      const peer = make(id);
      peer.on('hello', (m) => got.push([id, m.to]));
      await peer.connect({ transport: 'websocket', url: listener.url });
    }
    await expect.poll(() => hub.describe().peers.length).toBe(3);
    hub.broadcast('hello', { n: 1 });
    await expect.poll(() => got.length).toBe(3);
    const logged = hub.log.query({ pattern: 'hello', direction: 'out' });
    expect(logged.map((e) => [e.peer, e.envelope.to]).sort()).toEqual(
      [...got].sort().map(([id, to]) => [id, to]),
    );
    expect(logged.map((e) => e.envelope.to).sort()).toEqual(['cast-a', 'cast-b', 'cast-c']);
  });

  it('keeps nothing of a message it sent, logged as bytes, once the turn is over', async () => {
    const hub = make('hub-held');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const watcher = make('watcher-held');
    const got: unknown[] = [];
    watcher.on('held', (m) => got.push(m.value));
    const sender = make('sender-held');
    await watcher.connect({ transport: 'websocket', url: listener.url });
    await sender.connect({ transport: 'websocket', url: listener.url });
    await sender.reachable('held', { observer: true, timeout: 2000 });
    // Sent from a function of its own, so that no variable here holds the value.
    const sendOne = (value: { n: number }) => {
      sender.send('held', value);
      return new WeakRef(value);
    };
    const ref = sendOne({ n: 1 });
    await expect.poll(() => got).toEqual([{ n: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
    expect(ref.deref()).toBeUndefined();
    expect(sender.log.query({ pattern: 'held' })[0].envelope.value).toEqual({ n: 1 });
  });

  it('logs a sent envelope as it is when its codec cannot write it as it is (a Date)', async () => {
    const hub = make('hub-date');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const watcher = make('watcher-date');
    const got: unknown[] = [];
    watcher.on('when', (m) => got.push(m.value));
    const sender = make('sender-date');
    await watcher.connect({ transport: 'websocket', url: listener.url });
    await sender.connect({ transport: 'websocket', url: listener.url });
    await sender.reachable('when', { observer: true, timeout: 2000 });
    const date = new Date(0);
    sender.send('when', { date });
    // The peer gets what JSON makes of it; the log keeps the envelope itself.
    await expect.poll(() => got).toEqual([{ date: '1970-01-01T00:00:00.000Z' }]);
    const [entry] = sender.log.query({ pattern: 'when', direction: 'out' });
    expect((entry.envelope.value as { date: Date }).date).toBe(date);
  });

  it('logs a forward as it went out when a local observer changed it first', async () => {
    const hub = make('hub-mut');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    hub.on('note', (m) => void ((m.value as { seen?: string }).seen = 'hub'), { local: true });
    const watcher = make('watcher-mut');
    const got: unknown[] = [];
    watcher.on('note', (m) => got.push(m.value));
    const sender = make('sender-mut');
    await watcher.connect({ transport: 'websocket', url: listener.url });
    await sender.connect({ transport: 'websocket', url: listener.url });
    await sender.reachable('note', { observer: true, timeout: 2000 });
    sender.send('note', { n: 1 });
    await expect.poll(() => got).toEqual([{ n: 1, seen: 'hub' }]);
    const out = hub.log.query({ pattern: 'note', direction: 'out' });
    expect(out.map((e) => [e.peer, e.envelope.value])).toEqual([
      ['watcher-mut', { n: 1, seen: 'hub' }],
    ]);
  });

  it('delivers a synchronous burst of 20,000 messages, in order', async () => {
    const hub = make('hub2');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const sink = make('sink');
    const got: number[] = [];
    sink.on('n', (m) => got.push(m.value as number));
    await sink.connect({ transport: 'websocket', url: listener.url });
    const source = make('source');
    // A reconnecting link holds what the hub has not acknowledged yet, and none of a synchronous
    // burst can be acknowledged before it ends: room for all of it (acks.test.ts has the bound).
    await source.connect({ transport: 'websocket', url: listener.url, maxQueued: 20_000 });
    await source.reachable('n', { observer: true, timeout: 2000 });
    for (let i = 0; i < 20_000; i++) source.send('n', i);
    await expect.poll(() => got.length, { timeout: 10_000 }).toBe(20_000);
    expect(got.every((v, i) => v === i)).toBe(true);
  });

  it('negotiates msgpack when both offer it, json when the client offers only json', async () => {
    const hub = make('hub3');
    hub.handle('echo', (m) => m.value);
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    for (const codecs of [['msgpack', 'json'], ['json']] as const) {
      const c = make(`c-${codecs.length}`);
      await c.connect({ transport: 'websocket', url: listener.url, codecs: [...codecs] });
      await c.reachable('echo', { timeout: 2000 });
      expect(await c.request('echo', { a: [1, 'x', null] })).toEqual({ a: [1, 'x', null] });
    }
  });

  it('answers garbage with a bye naming the error, then closes; the hub keeps running', async () => {
    const hub = make('hub4');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const raw = new WebSocket(listener.url);
    const closed = new Promise<{ code: number; reason: string; frames: string[] }>((resolve) => {
      const frames: string[] = [];
      raw.on('message', (d: Buffer) => frames.push(d.toString()));
      raw.on('close', (code, reason) => resolve({ code, reason: String(reason), frames }));
    });
    await new Promise((resolve) => raw.on('open', resolve));
    raw.send('{"this is": not json');
    const { reason, frames } = await closed;
    expect(reason).toMatch(/BAD_FRAME/);
    expect(frames.some((f) => f.includes('"bye"') && f.includes('BAD_FRAME'))).toBe(true);
    // Still serving.
    const c = make('after');
    await c.connect({ transport: 'websocket', url: listener.url });
    expect(c.describe().peers).toEqual(['hub4']);
  });

  it('coalesces: a burst reaches a raw protocol client in far fewer WebSocket messages', async () => {
    const hub = make('hub5');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const raw = new WebSocket(listener.url);
    let messages = 0;
    let frames = 0;
    raw.on('message', (d) => {
      const batch = JSON.parse((d as Buffer).toString()) as { t: string }[];
      if (batch[0].t === 'hello') return;
      messages++;
      frames += batch.filter((f) => f.t === 'msg').length;
    });
    await new Promise((resolve) => raw.on('open', resolve));
    const hello = { t: 'hello', id: 'raw', protocol: 1, adverts: [{ k: 'o', p: 'n', d: 0 }] };
    raw.send(JSON.stringify([{ ...hello, codecs: ['json'] }]));
    const source = make('source5');
    await source.connect({ transport: 'websocket', url: listener.url });
    await source.reachable('n', { observer: true, timeout: 2000 });
    for (let i = 0; i < 5000; i++) source.send('n', i);
    await expect.poll(() => frames, { timeout: 5000 }).toBe(5000);
    // A burst goes in chunks of 32 frames (157 messages) or bigger batches: far from 5,000.
    expect(messages).toBeLessThan(200);
    raw.close();
  });

  it('closes a connection that never says hello, with a TIMEOUT bye', async () => {
    const hub = make('hub7');
    const listener = await hub.listen({ transport: 'websocket', port: 0, helloTimeout: 100 });
    const raw = new WebSocket(listener.url);
    const frames: string[] = [];
    raw.on('message', (d: Buffer) => frames.push(d.toString()));
    const started = Date.now();
    const reason = await new Promise<string>((resolve) =>
      raw.on('close', (_code, why: Buffer) => resolve(why.toString())),
    );
    expect(reason).toMatch(/TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(frames.some((f) => f.includes('"TIMEOUT"'))).toBe(true);
  });

  it('fails to connect with a typed error when nothing listens', async () => {
    const c = make('lonely');
    await expect(
      c.connect({ transport: 'websocket', url: 'ws://127.0.0.1:1/', connectTimeout: 2000 }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it('names the known transports when asked for an unknown one', async () => {
    const c = make('x');
    await expect(c.connect({ transport: 'carrier-pigeon' } as never)).rejects.toMatchObject({
      code: 'UNKNOWN_TRANSPORT',
    });
  });
});

describe('websocket reconnection', () => {
  it('buffers while the hub is down and flushes in order to the restarted hub', async () => {
    const first = make('hub');
    const before: number[] = [];
    first.on('tick', (m) => before.push(m.value as number));
    const listener = await first.listen({ transport: 'websocket', port: 0 });
    const client = make('pub');
    const peer = await client.connect({
      transport: 'websocket',
      url: listener.url,
      reconnect: { initialDelay: 20, maxDelay: 100 },
    });
    await client.reachable('tick', { observer: true, timeout: 2000 });
    for (let i = 0; i < 100; i++) client.send('tick', i);
    await expect.poll(() => before.length).toBe(100);

    first.close(); // says bye: the client's link keeps the peer and buffers
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 100; i < 200; i++) client.send('tick', i);
    expect(client.peer('hub')).toBe(peer);

    const second = make('hub');
    const after: number[] = [];
    second.on('tick', (m) => after.push(m.value as number));
    await second.listen({ transport: 'websocket', port: listener.port! });
    await expect.poll(() => after.length, { timeout: 5000 }).toBe(100);
    expect(after).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    expect(before).toHaveLength(100);
    // Routes were re-learned from the new hub's hello, and new messages flow directly.
    client.send('tick', 200);
    await expect.poll(() => after.at(-1)).toBe(200);
    expect(second.describe().peers).toEqual(['pub']);
  });

  it('a second exchange with a connected id is refused; the same one reconnecting replaces it', async () => {
    const hub = make('hub6');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const a = make('twin');
    await a.connect({ transport: 'websocket', url: listener.url, reconnect: false });
    const b = make('twin');
    await expect(
      b.connect({ transport: 'websocket', url: listener.url, reconnect: false }),
    ).rejects.toBeDefined();
    expect(hub.describe().peers).toEqual(['twin']);
  });
});

describe('websocket liveness and limits', () => {
  it('notices a peer that stops answering within two heartbeat intervals', async () => {
    // A server that says hello and then never answers anything (a hung process).
    const { WebSocketServer } = await import('ws');
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.on('listening', resolve));
    server.on('connection', (socket) => {
      socket.once('message', () =>
        socket.send(JSON.stringify([{ t: 'hello', id: 'hung', protocol: 1, adverts: [] }])),
      );
    });
    const port = (server.address() as { port: number }).port;
    const c = make('watchful');
    const gone = new Promise<{ reason: string; at: number }>((resolve) =>
      c.on('$exchange.peer.disconnected', (m) =>
        resolve({ reason: (m.value as { reason: string }).reason, at: Date.now() }),
      ),
    );
    await c.connect({
      transport: 'websocket',
      url: `ws://127.0.0.1:${port}/`,
      heartbeat: 100,
      reconnect: false,
    });
    const connected = Date.now();
    const { reason, at } = await gone;
    expect(reason).toMatch(/heartbeat/);
    expect(at - connected).toBeGreaterThanOrEqual(150);
    expect(at - connected).toBeLessThan(2000);
    server.close();
  });

  it('fails a request whose value is over the peer’s maximum with TOO_LARGE, and keeps the link', async () => {
    const hub = make('hub8');
    hub.handle('store', (m) => (m.value as string).length);
    const listener = await hub.listen({ transport: 'websocket', port: 0, maxBytes: 65_536 });
    const c = make('big');
    await c.connect({ transport: 'websocket', url: listener.url });
    await c.reachable('store', { timeout: 2000 });
    await expect(c.request('store', 'x'.repeat(100_000))).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    expect(await c.request('store', 'x'.repeat(1000))).toBe(1000);
  });
});

describe('websocket close', () => {
  it('a message sent just before close still arrives (close flushes, then says bye)', async () => {
    const hub = make('hub9');
    const got: unknown[] = [];
    hub.on('last.words', (m) => got.push(m.value));
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const c = make('leaving');
    await c.connect({ transport: 'websocket', url: listener.url, reconnect: false });
    await c.reachable('last.words', { observer: true, timeout: 2000 });
    c.send('last.words', 'goodbye');
    c.close();
    await expect.poll(() => got, { timeout: 2000 }).toEqual(['goodbye']);
  });
});

describe('websocket reconnection, clients back in any order', () => {
  it('a restarted hub, and the publisher, hold messages until the observer is back', async () => {
    const first = make('hub');
    const listener = await first.listen({ transport: 'websocket', port: 0 });
    const url = listener.url;
    const observer = make('obs');
    const got: number[] = [];
    observer.on('tick', (m) => got.push(m.value as number));
    // The observer comes back late (its first retry after ~1 s); the publisher at once.
    await observer.connect({
      transport: 'websocket',
      url,
      reconnect: { initialDelay: 1000, maxDelay: 1000, jitter: 0 },
    });
    const publisher = make('pub2');
    await publisher.connect({
      transport: 'websocket',
      url,
      reconnect: { initialDelay: 20, maxDelay: 50 },
    });
    await publisher.reachable('tick', { observer: true, timeout: 2000 });
    for (let i = 0; i < 50; i++) publisher.send('tick', i);
    await expect.poll(() => got.length).toBe(50);

    first.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 50; i < 100; i++) publisher.send('tick', i); // buffered: the hub is down
    const second = make('hub');
    await second.listen({ transport: 'websocket', port: listener.port! });
    await expect.poll(() => second.describe().peers, { timeout: 3000 }).toContain('pub2');
    expect(second.describe().peers).not.toContain('obs'); // the publisher really is back first
    // Sent after the publisher is back but before the observer: no route anywhere yet.
    for (let i = 100; i < 150; i++) publisher.send('tick', i);
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(150);
    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(publisher.describe().counters.unhandled).toBe(0);
  });
});
