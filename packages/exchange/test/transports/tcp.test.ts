import { connect as netConnect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, type Exchange } from '../../src/index.js';

const open: Exchange[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
  for (const s of sockets.splice(0)) s.destroy();
});
function make(id: string): Exchange {
  const ex = exchange({ id });
  open.push(ex);
  return ex;
}

/** A protocol client with nothing but `node:net`: what a script in any language would do. */
async function rawClient(port: number) {
  const socket = netConnect({ host: '127.0.0.1', port });
  sockets.push(socket);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('close', () => {
    closed = true;
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  /** The next line whose frames satisfy `test`, within 5 s. */
  const next = async (test: (frames: any[]) => boolean = () => true): Promise<any[]> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = lines.findIndex((l) => test(JSON.parse(l)));
      if (i !== -1) return JSON.parse(lines.splice(i, 1)[0]);
      if (closed) throw new Error(`closed; lines left: ${lines.join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`no such line in 5 s: ${lines.join(' | ')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, lines, next, closed: closedPromise };
}

describe('tcp transport (real sockets on loopback)', () => {
  it('a client asks a server through a hub, and observes what the server emits', async () => {
    const hub = make('hub');
    const listener = await hub.listen({ transport: 'tcp', port: 0 });
    expect(listener.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const server = make('server');
    server.handle('users.list', (_m, ctx) => {
      ctx.send('users.listed', 2);
      return ['ada', 'linus'];
    });
    const client = make('client');
    const seen: number[] = [];
    client.on('users.listed', (m) => seen.push(m.value as number));
    await server.connect({ transport: 'tcp', port: listener.port! });
    await client.connect({ transport: 'tcp', host: '127.0.0.1', port: listener.port! });
    await client.reachable('users.list', { timeout: 2000 });
    await server.reachable('users.listed', { observer: true, timeout: 2000 });
    const reply = await client.requestMessage('users.list');
    expect(reply.value).toEqual(['ada', 'linus']);
    expect(reply.trace.map((h) => h.ex)).toEqual(['client', 'hub', 'server', 'hub', 'client']);
    await expect.poll(() => seen).toEqual([2]);
  });

  it('delivers a synchronous burst of 20,000 messages, in order', async () => {
    const hub = make('hub2');
    const listener = await hub.listen({ transport: 'tcp', port: 0 });
    const got: number[] = [];
    hub.on('n', (m) => got.push(m.value as number));
    const source = make('source');
    // Room for the whole burst unacknowledged (see the WebSocket test of the same name).
    await source.connect({ transport: 'tcp', port: listener.port!, maxQueued: 20_000 });
    await source.reachable('n', { observer: true, timeout: 2000 });
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) source.send('n', i);
    await expect.poll(() => got.length, { timeout: 10_000, interval: 5 }).toBe(20_000);
    const ms = performance.now() - started;
    console.log(`tcp: 20,000 one-way messages in ${ms.toFixed(0)} ms`);
    expect(got.every((v, i) => v === i)).toBe(true);
  });

  it('speaks the protocol with a hand-written client: lines of JSON over node:net', async () => {
    const hub = make('hub3');
    hub.handle('math.double', (m) => (m.value as number) * 2);
    const listener = await hub.listen({ transport: 'tcp', port: 0 });
    const raw = await rawClient(listener.port!);
    // The hello arrives in two pieces and ends with CRLF: framing is by newline alone.
    // It advertises itself (`k: 'n'`) so that replies find their way back to it by id.
    const adverts = [{ k: 'n', p: 'script', d: 0 }];
    const hello = { t: 'hello', protocol: 1, id: 'script', adverts, codecs: ['json'] };
    const text = JSON.stringify([hello]);
    raw.socket.write(text.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    raw.socket.write(`${text.slice(10)}\r\n\n`);
    const [theirs] = await raw.next((f) => f[0].t === 'hello');
    expect(theirs).toMatchObject({ t: 'hello', id: 'hub3', protocol: 1 });
    expect(theirs.codec ?? 'json').toBe('json');
    expect(theirs.adverts).toContainEqual({ k: 'h', p: 'math.double', d: 0 });
    const now = Date.now();
    const env = {
      id: 'script:1',
      kind: 'req',
      name: 'math.double',
      value: 21,
      from: 'script',
      ts: now,
      trace: [{ ex: 'script', at: now }],
      deadline: now + 5000,
    };
    raw.socket.write(`${JSON.stringify([{ t: 'msg', mode: 1, env }])}\n`);
    const batch = await raw.next((f) => f.some((x) => x.t === 'msg'));
    const reply = batch.find((x) => x.t === 'msg').env;
    expect(reply).toMatchObject({ kind: 'rep', corr: 'script:1', value: 42, to: 'script' });
    raw.socket.write(`${JSON.stringify([{ t: 'bye', reason: 'done' }])}\n`);
    await raw.closed;
    await expect.poll(() => hub.describe().peers).toEqual([]);
  });

  it('a line over maxBytes is TOO_LARGE at once, without buffering the rest', async () => {
    const hub = make('hub4');
    const listener = await hub.listen({ transport: 'tcp', port: 0, maxBytes: 65_536 });
    const raw = await rawClient(listener.port!);
    // 70,000 bytes and no newline: refused once 65,537 bytes have come, not when a line ends.
    raw.socket.write('x'.repeat(70_000));
    const [bye] = await raw.next((f) => f[0].t === 'bye');
    expect(bye.error).toMatchObject({ code: 'TOO_LARGE', data: { max: 65_536 } });
    await raw.closed;
    // Still serving.
    const c = make('after4');
    await c.connect({ transport: 'tcp', port: listener.port! });
    expect(c.describe().peers).toEqual(['hub4']);
  });

  it('answers garbage with a bye naming BAD_FRAME, then closes', async () => {
    const hub = make('hub5');
    const listener = await hub.listen({ transport: 'tcp', port: 0 });
    const raw = await rawClient(listener.port!);
    raw.socket.write('{"this is": not json\n');
    const [bye] = await raw.next((f) => f[0].t === 'bye');
    expect(bye.error.code).toBe('BAD_FRAME');
    await raw.closed;
  });

  it('works over a Unix socket path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exchange-tcp-'));
    try {
      const hub = make('hub6');
      hub.handle('ping.me', () => 'pong');
      const path = join(dir, 'hub.sock');
      const listener = await hub.listen({ transport: 'tcp', path });
      expect(listener.url).toBe(`unix:${path}`);
      const c = make('unix-client');
      await c.connect({ transport: 'tcp', path });
      await c.reachable('ping.me', { timeout: 2000 });
      expect(await c.request('ping.me')).toBe('pong');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to connect with a typed error when nothing listens', async () => {
    const c = make('lonely');
    await expect(
      c.connect({ transport: 'tcp', port: 1, reconnect: false, connectTimeout: 2000 }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });
});

describe('tcp reconnection', () => {
  it('buffers while the hub is down and flushes in order to the restarted hub', async () => {
    const first = make('hub');
    const before: number[] = [];
    first.on('tick', (m) => before.push(m.value as number));
    const listener = await first.listen({ transport: 'tcp', port: 0 });
    const client = make('pub');
    const peer = await client.connect({
      transport: 'tcp',
      port: listener.port!,
      reconnect: { initialDelay: 20, maxDelay: 100 },
    });
    await client.reachable('tick', { observer: true, timeout: 2000 });
    for (let i = 0; i < 100; i++) client.send('tick', i);
    await expect.poll(() => before.length).toBe(100);

    // The listener says bye and resolves once the client has ended its side: the client's link
    // keeps the peer and buffers.
    await listener.close();
    first.close();
    for (let i = 100; i < 200; i++) client.send('tick', i);
    expect(client.peer('hub')).toBe(peer);

    const second = make('hub');
    const after: number[] = [];
    second.on('tick', (m) => after.push(m.value as number));
    await second.listen({ transport: 'tcp', port: listener.port! });
    await expect.poll(() => after.length, { timeout: 5000 }).toBe(100);
    expect(after).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    client.send('tick', 200);
    await expect.poll(() => after.at(-1)).toBe(200);
  });
});
