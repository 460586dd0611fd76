// The hub's slow-consumer policy (docs/transports.md, "Slow consumers"): a peer that keeps its
// link full is dropped from, counted, and after `slowConsumerTimeout` disconnected with a typed
// bye, while the other peers get everything. Real sockets, a real slow client process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, type Exchange } from '../../src/index.js';
import { rawPeer } from './raw-peer.js';

const SLOW = fileURLToPath(new URL('./fixtures/slow-observer.mjs', import.meta.url));
const PAD = 'x'.repeat(4096);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});
function make(id: string): Exchange {
  const ex = exchange({ id });
  cleanups.push(() => ex.close());
  return ex;
}

/** Resolves with the value of the first `name` system message for which `test` holds. */
function first(ex: Exchange, name: string, test: (v: any) => boolean): Promise<any> {
  return new Promise((resolve) => {
    const off = ex.on(name, (m) => {
      if (!test(m.value)) return;
      off();
      resolve(m.value);
    });
  });
}

/**
 * Publish 4 KiB `tick`s, 20 every 5 ms (16 MB/s), until stopped; returns how many were sent.
 * With no way out left (the only observer's link full), `send` throws CONGESTED: not counted.
 */
function publish(hub: Exchange) {
  let n = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 20; i++) {
      try {
        hub.send('tick', { n, pad: PAD });
        n++;
      } catch (e) {
        if ((e as { code?: string }).code !== 'CONGESTED') throw e;
      }
    }
  }, 5);
  cleanups.push(() => clearInterval(timer));
  return {
    stop: () => {
      clearInterval(timer);
      return n;
    },
  };
}

/**
 * A hand-written TCP peer observing `tick` through `hub`'s listener (queue of 50 frames, the
 * given slow-consumer timeout); `gone` resolves when the hub disconnects it.
 */
async function rawTickObserver(hub: Exchange, slowConsumerTimeout: number) {
  const listener = await hub.listen({
    transport: 'tcp',
    port: 0,
    maxQueued: 50,
    slowConsumerTimeout,
  });
  const raw = await rawPeer(listener.port!);
  cleanups.push(() => raw.close());
  raw.send([{ t: 'hello', protocol: 1, id: 'raw', adverts: [{ k: 'o', p: 'tick', d: 0 }] }]);
  await raw.next();
  await hub.reachable('tick', { observer: true, timeout: 5000 });
  const gone = first(hub, '$exchange.peer.disconnected', (v) => v.peer === 'raw');
  return { raw, gone };
}

/** Resolves once the child has printed a line matching `pattern`. */
function line(child: ChildProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${ms} ms: ${out}`)), ms);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (!pattern.test(out)) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('slow consumers at the hub', () => {
  it('a slow client process: dropped from and counted, then disconnected with CONGESTED; a fast observer gets everything; the slow one comes back', async () => {
    const hub = make('hub');
    let dropped = 0;
    // Asked at the first drop, so well within the 500 ms before the hub gives up on the peer
    // (a test that polled for the drop first lost that race on a loaded CI machine).
    let whileFull: Promise<unknown> | undefined;
    hub.on('$exchange.dropped', () => {
      dropped++;
      whileFull ??= hub.request('slow.echo', 1, { timeout: 10_000 }).then(
        () => 'answered',
        (error: unknown) => error,
      );
    });
    const listener = await hub.listen({
      transport: 'websocket',
      port: 0,
      maxQueued: 100,
      slowConsumerTimeout: 500,
    });
    const fast = make('fast');
    const got: number[] = [];
    fast.on('tick', (m) => got.push((m.value as { n: number }).n));
    await fast.connect({ transport: 'websocket', url: listener.url });

    const child = spawn(process.execPath, [SLOW, listener.url, '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    const ready = line(child, /ready/, 20_000);
    await ready;
    const reconnected = line(child, /reconnected/, 60_000);
    await hub.reachable('slow.echo', { timeout: 5000 });
    const gone = first(hub, '$exchange.peer.disconnected', (v) => v.peer === 'slow');

    const stream = publish(hub);
    await expect.poll(() => dropped, { timeout: 20_000 }).toBeGreaterThan(0);
    // A request to it while its link is full fails at once with CONGESTED, not at its timeout.
    expect(await whileFull).toMatchObject({ code: 'CONGESTED' });
    const left = await gone;
    const sent = stream.stop();
    expect(left.reason).toMatch(/^CONGESTED: slow consumer: .* full for 500 ms/);

    // The fast observer was never held back: every tick, in order.
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(sent);
    expect(got.every((v, i) => v === i)).toBe(true);
    // CONGESTED is not a refusal: once through its backlog, the slow client reconnects.
    await reconnected;
  }, 90_000);

  it('its drops are told at once, then summarised once a second per reason: every drop accounted for', async () => {
    const hub = make('hub');
    const notices: { reason: string; count?: number }[] = [];
    hub.on('$exchange.dropped', (m) => notices.push(m.value as (typeof notices)[number]));
    const { raw, gone } = await rawTickObserver(hub, 2500);
    const before = hub.describe().counters.dropped;
    raw.socket.pause();
    const stream = publish(hub);
    await gone;
    stream.stop();
    const dropped = hub.describe().counters.dropped - before;
    expect(dropped).toBeGreaterThan(100);
    // The last summary comes when its window ends, within a second.
    const told = () => notices.reduce((sum, n) => sum + (n.count ?? 1), 0);
    await expect.poll(told, { timeout: 5000 }).toBe(dropped);
    // One notice as it happened, then one summary per reason and second (2.5 s of drops), not
    // one per drop.
    expect(notices[0].count).toBeUndefined();
    expect(notices.slice(1).every((n) => n.count! > 0)).toBe(true);
    expect(notices.length).toBeLessThanOrEqual(8);
    expect(notices.every((n) => /\braw\b/.test(n.reason))).toBe(true);
  }, 60_000);

  it('the bye names the error, as a hand-written client reads it', async () => {
    const hub = make('hub');
    const { raw, gone } = await rawTickObserver(hub, 300);
    raw.socket.pause(); // reads nothing from now on
    const stream = publish(hub);
    await gone;
    stream.stop();
    raw.socket.resume();
    const bye = await raw.nextFrame('bye', 30_000);
    expect(bye).toMatchObject({
      error: { code: 'CONGESTED', data: { timeoutMs: 300 } },
    });
  }, 60_000);
});
