/**
 * Slow consumers among the hub's HTTP transport sessions (docs/transports.md, "Slow consumers";
 * docs/http.md): a session that stops reading its event stream is disconnected with CONGESTED
 * after the hub's `slowConsumerTimeout`, as a WebSocket peer is, while a session beside it gets
 * every message. A real hub on 127.0.0.1, a real `http` client, and a session spoken by hand.
 */
import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../../src/hub/config.js';
import { startHub } from '../../src/hub/hub.js';
import { exchange } from '../../src/index.js';

type RawFrame = { t: string } & Record<string, unknown>;

const PAD = 'x'.repeat(1024);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/**
 * An HTTP transport session spoken by hand (docs/http.md): `POST /link`, its event stream with
 * `GET`, transport messages with `POST`. It records every frame the stream brings; `stream` is
 * the response, to pause and resume.
 */
async function rawSession(base: string) {
  const created = await fetch(new URL('link', base), { method: 'POST' });
  const { session } = (await created.json()) as { session: string };
  const url = new URL(`link/${session}`, base);
  const stream = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, { headers: { accept: 'text/event-stream' } }, resolve).on('error', reject),
  );
  const frames: RawFrame[] = [];
  let partial = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    const events = (partial + chunk).split('\n\n');
    partial = events.pop()!;
    for (const event of events)
      if (event.startsWith('data: ')) frames.push(...(JSON.parse(event.slice(6)) as RawFrame[]));
  });
  const ended = new Promise<void>((resolve) => stream.once('end', resolve));
  cleanups.push(() => stream.destroy());
  return {
    frames,
    stream,
    ended,
    send: async (batch: RawFrame[]) => {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(batch) });
      expect(res.status).toBe(204);
    },
  };
}

describe('slow consumers among HTTP transport sessions', () => {
  it('a session that stops reading is disconnected with CONGESTED after slowConsumerTimeout; the session beside it gets every message', async () => {
    const hub = await startHub({ ...DEFAULTS, port: 0, demo: false, slowConsumerTimeout: 300 });
    cleanups.push(() => hub.close());
    const fast = exchange({ id: 'fast' });
    cleanups.push(() => fast.close());
    const got: number[] = [];
    fast.on('tick', (m) => got.push((m.value as { n: number }).n));
    await fast.connect({ transport: 'http', url: hub.url });

    const slow = await rawSession(hub.url);
    await slow.send([
      { t: 'hello', protocol: 1, id: 'slow', adverts: [{ k: 'o', p: 'tick', d: 0 }] },
    ]);
    await expect.poll(() => slow.frames[0]).toMatchObject({ t: 'hello', id: 'hub' });
    await expect
      .poll(() => hub.exchange.describe().peers.sort(), { timeout: 5000 })
      .toEqual(['fast', 'slow']);
    const left: { peer: string; reason: string }[] = [];
    hub.exchange.on('$exchange.peer.disconnected', (m) => left.push(m.value as (typeof left)[0]));
    slow.stream.pause(); // reads nothing from now on: the hub's writes back up behind it

    // 1 KiB ticks, 50 every 5 ms, until the hub gives the slow session up: bursts far below a
    // link's maxQueued, so a session that reads keeps up.
    let sent = 0;
    for (const end = Date.now() + 30_000; left.length === 0 && Date.now() < end;) {
      for (let i = 0; i < 50; i++) hub.exchange.send('tick', { n: sent++, pad: PAD });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(left.map((v) => v.peer)).toEqual(['slow']);
    expect(left[0].reason).toMatch(/^CONGESTED: slow consumer: .* full for 300 ms/);

    // The well-behaved session was never held back: every tick, in order, and still linked.
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(sent);
    expect(got.every((v, i) => v === i)).toBe(true);
    expect(hub.exchange.describe().peers).toEqual(['fast']);

    // Reading again, the slow session finds its backlog, then the bye, then the stream's end.
    slow.stream.resume();
    await slow.ended;
    expect(slow.frames.at(-1)).toMatchObject({
      t: 'bye',
      error: { code: 'CONGESTED', data: { timeoutMs: 300 } },
    });
  }, 60_000);

  it('the hub setting defaults to 10 s and is validated like the others', () => {
    expect(loadConfig({}, {}).slowConsumerTimeout).toBe(10_000);
    const fromEnv = loadConfig({}, { EXCHANGE_SLOW_CONSUMER_TIMEOUT: '0' });
    expect(fromEnv.slowConsumerTimeout).toBe(0);
    const bad = () => loadConfig({}, { EXCHANGE_SLOW_CONSUMER_TIMEOUT: 'soon' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /^slowConsumerTimeout \(from env\): must be an integer from 0 to 3600000, got "soon"/,
    );
  });
});
