// Acknowledgements and replay in the framed link (spec/protocol.md §5.6), over real sockets: a hub
// process killed mid-stream, a dropped connection to a hub that lives on, and the wire itself
// as a hand-written peer sees it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect as dialTcp, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, type ConnectOptions, type Exchange, type Peer } from '../../src/index.js';
import type { FramedLink } from '../../src/transport/index.js';
import { message, rawLine, rawPeer, readBatches, writeBatch, type RawLine } from './raw-peer.js';

const HUB = fileURLToPath(new URL('./fixtures/hub-process.mjs', import.meta.url));
/** Reconnects within 50 ms of the hub coming back. */
const FAST = { initialDelay: 20, maxDelay: 50, jitter: 0 };

const open: Exchange[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
  for (const clean of cleanups.splice(0)) clean();
});
function make(id: string): Exchange {
  const ex = exchange({ id });
  open.push(ex);
  return ex;
}

const linkOf = (peer: Peer) => peer.link as FramedLink;
const track = <T extends { close: () => void }>(peer: T): T => {
  cleanups.push(() => peer.close());
  return peer;
};
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * An exchange `pub` connected with `options`, once an observer of `tick` is reachable; its
 * `send(count)` sends `tick` 0, 1, 2, … in order, and `sent` counts them.
 */
async function publisher(options: ConnectOptions) {
  const ex = make('pub');
  const link = linkOf(await ex.connect(options));
  await ex.reachable('tick', { observer: true, timeout: 10_000 });
  const pub = {
    ex,
    link,
    sent: 0,
    send: (count: number) => {
      for (let i = 0; i < count; i++) ex.send('tick', pub.sent++);
    },
  };
  return pub;
}

/** The values of the `tick` messages `ex` receives, in order of arrival. */
function ticksAt(ex: Exchange): number[] {
  const got: number[] = [];
  ex.on('tick', (m) => got.push(m.value as number));
  return got;
}

/** Wait for `test` to hold, checking every 5 ms, at most `ms`. */
async function until(test: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The hub fixture in a process of its own; resolves once it listens on both ports. */
function startHub(port: number, tcpPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [HUB, String(port), String(tcpPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the hub did not start in 20 s')), 20_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (!s.includes('ready')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the hub exited (${code}) before it was ready`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

type Kind = 'websocket' | 'tcp' | 'http';
function dial(kind: Kind, port: number, tcpPort: number): ConnectOptions {
  if (kind === 'websocket')
    return { transport: 'websocket', url: `ws://127.0.0.1:${port}/`, reconnect: FAST };
  if (kind === 'tcp') return { transport: 'tcp', port: tcpPort, reconnect: FAST };
  return { transport: 'http', url: `http://127.0.0.1:${port}/`, reconnect: FAST };
}

describe('a hub process killed mid-stream (SIGKILL, restarted on the same ports)', () => {
  it.each<Kind>(['websocket', 'tcp', 'http'])(
    '%s: what was written to the dying connection arrives through the new hub: every message once, in order',
    async (kind) => {
      const [port, tcpPort] = [await freePort(), await freePort()];
      const hub = await startHub(port, tcpPort);
      const observer = make('obs');
      const got = ticksAt(observer);
      await observer.connect(dial(kind, port, tcpPort));
      const pub = await publisher(dial(kind, port, tcpPort));

      pub.send(100);
      await until(() => got.length === 100, 'the first 100');
      // Frozen, the hub reads and acknowledges nothing: what is written now is in its socket
      // buffers when it dies, as in a crash mid-stream.
      hub.kill('SIGSTOP');
      pub.send(200);
      await until(() => pub.link.queued === 0, 'the 200 to be written');
      expect(pub.link.unacknowledged).toBeGreaterThanOrEqual(200);
      await kill(hub);
      pub.send(100); // before or after the publisher notices: held either way
      await startHub(port, tcpPort); // killed by the test's cleanup
      pub.send(100);
      const n = pub.sent;
      await until(() => got.at(-1) === n - 1, `message ${n - 1}`, 20_000);
      expect(got).toEqual(range(n));
    },
    60_000,
  );
});

describe('a dropped connection to a hub that lives on', () => {
  it('sends again what was not acknowledged; the hub drops what it already had as duplicates', async () => {
    const hub = make('hub');
    const got = ticksAt(hub);
    const listener = await hub.listen({ transport: 'tcp', port: 0 });
    const proxy = await ackEatingProxy(listener.port!);
    const pub = await publisher({ transport: 'tcp', port: proxy.port, reconnect: FAST });
    const { link } = pub;

    pub.send(100);
    await until(
      () => got.length === 100 && link.unacknowledged === 0,
      'the first 100, acknowledged',
    );
    proxy.eatAcks = true;
    pub.send(300);
    await until(() => got.length === 400, 'the 300 at the hub');
    expect(link.unacknowledged).toBe(300);
    const before = hub.describe().counters.duplicates;
    proxy.eatAcks = false;
    proxy.cut();
    pub.send(100);
    await until(() => got.at(-1) === pub.sent - 1, `message ${pub.sent - 1}`);
    expect(got).toEqual(range(500));
    expect(hub.describe().counters.duplicates - before).toBe(300);
    await until(() => link.unacknowledged === 0, 'the new connection to acknowledge them all');
  });
});

describe('the wire, as a hand-written peer sees it', () => {
  it('acknowledges cumulatively, and only a peer whose hello asked', async () => {
    const hub = make('hub');
    const listener = await hub.listen({ transport: 'tcp', port: 0 });

    const asking = await greeted(listener.port!, 'asks', { acks: 4 });
    expect(asking.hello).toMatchObject({ t: 'hello', id: 'hub', acks: 0 });
    asking.send(range(10).map((i) => message('asks', i)));
    expect(await asking.nextFrame('ack')).toEqual({ t: 'ack', n: 10 });
    // Fewer than asked for: acknowledged all the same, after a short delay.
    asking.send([message('asks', 10)]);
    expect(await asking.nextFrame('ack')).toEqual({ t: 'ack', n: 11 });

    const old = await greeted(listener.port!, 'old');
    expect(old.hello).toMatchObject({ t: 'hello', id: 'hub', acks: 0 });
    old.send([...range(10).map((i) => message('old', i)), { t: 'ping', n: 1 }]);
    expect(await old.nextFrame('pong')).toEqual({ t: 'pong', n: 1 });
    expect(old.frames.filter((f) => f.t === 'ack')).toEqual([]);
  });

  it('a reconnecting link keeps unacknowledged + queued within maxQueued: CONGESTED beyond, room after an ack', async () => {
    const { pub, hub } = await publisherToRawHub({ acks: 0 });
    const trySend = (count: number) => {
      let accepted = 0;
      for (let i = 0; i < count; i++) {
        try {
          pub.ex.send('tick', i);
          accepted++;
        } catch (e) {
          expect((e as { code?: string }).code).toBe('CONGESTED');
        }
      }
      return accepted;
    };
    expect(trySend(60)).toBe(50);
    await until(() => pub.link.unacknowledged === 50, 'all 50 written');
    hub.send([{ t: 'ack', n: 20 }]);
    await until(() => pub.link.unacknowledged === 30, 'the ack');
    expect(trySend(25)).toBe(20);

    // An ack of more than was written is a protocol error: the link says why and closes.
    await until(() => pub.link.unacknowledged === 50, 'all 70 written');
    hub.send([{ t: 'ack', n: 99 }]);
    const bye = await hub.nextFrame('bye');
    expect(bye).toMatchObject({ error: { code: 'BAD_FRAME' } });
    await until(() => pub.link.state === 'closed', 'the link to close');
  });

  it('toward a peer that does not announce acks, nothing is kept (the protocol as before)', async () => {
    const { pub, hub } = await publisherToRawHub({});
    // Written frames are let go at once: 200 through a link of maxQueued 50, no ack needed.
    for (let round = 0; round < 5; round++) {
      pub.send(40);
      await until(() => pub.link.queued === 0, 'the round to be written');
      expect(pub.link.unacknowledged).toBe(0);
    }
    await until(() => hub.frames.filter((f) => f.t === 'msg').length === 200, 'all 200');
    expect(hub.frames.some((f) => f.t === 'ack')).toBe(false);
  });
});

// ---- helpers --------------------------------------------------------------------------------

/** A hand-written peer of a TCP listener that has said hello (with `fields`), and the reply. */
async function greeted(port: number, id: string, fields: Record<string, unknown> = {}) {
  const peer = track(await rawPeer(port));
  peer.send([{ t: 'hello', protocol: 1, id, adverts: [], ...fields }]);
  const [hello] = await peer.next();
  return Object.assign(peer, { hello });
}

/**
 * A publisher (maxQueued 50, reconnecting) linked over TCP to a hand-written hub whose hello
 * has `fields`.
 */
async function publisherToRawHub(fields: Record<string, unknown>) {
  const server = await rawServer(fields);
  const pub = await publisher({
    transport: 'tcp',
    port: server.port,
    maxQueued: 50,
    reconnect: FAST,
  });
  return { pub, hub: await server.peer };
}

/**
 * A hand-written acceptor: it answers the first connection's hello with its own (with the
 * given fields, and an observer of `tick`), then leaves the rest to the test.
 */
async function rawServer(fields: Record<string, unknown>) {
  let accepted!: (peer: RawLine) => void;
  const peer = new Promise<RawLine>((resolve) => (accepted = resolve));
  const server = createServer((socket) => {
    const raw = track(rawLine(socket));
    void raw.next().then(() => {
      const adverts = [{ k: 'o', p: 'tick', d: 0 }];
      raw.send([{ t: 'hello', protocol: 1, id: 'raw-hub', adverts, ...fields }]);
      accepted(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, peer };
}

/**
 * A TCP proxy to `port` that can eat the acks going back to the client (the hub still gets
 * everything) and cut every connection through it, as a network failure would.
 */
async function ackEatingProxy(port: number) {
  const sockets = new Set<Socket>();
  const state = {
    port: 0,
    eatAcks: false,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
  };
  const server = createServer((client) => {
    const upstream = dialTcp(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    readBatches(upstream, (batch) => {
      const kept = state.eatAcks ? batch.filter((f) => f.t !== 'ack') : batch;
      if (kept.length > 0) writeBatch(client, kept);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    state.cut();
    server.close();
  });
  state.port = (server.address() as AddressInfo).port;
  return state;
}
