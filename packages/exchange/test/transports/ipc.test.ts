import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, type Exchange, type Peer } from '../../src/index.js';
import type { IpcLink } from '../../src/transports/ipc/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/ipc-peer.mjs', import.meta.url));

const open: Exchange[] = [];
afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
});
function make(id: string): Exchange {
  const ex = exchange({ id });
  open.push(ex);
  return ex;
}

/** Start the fixture as a child process or worker, linked to `ex`. */
function start(ex: Exchange, id: string, mode: string, worker: boolean, options = {}) {
  return ex.connect({
    transport: 'ipc',
    script: FIXTURE,
    worker,
    args: [id, mode, JSON.stringify(options)],
    execArgv: [],
    exitTimeout: 2000,
  });
}

/** Resolves with the value of the next `name` system message matching `test`, within `ms`. */
function next(ex: Exchange, name: string, test: (v: any) => boolean, ms = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    const off = ex.on(name, (m) => {
      if (!test(m.value)) return;
      clearTimeout(timer);
      off();
      resolve(m.value);
    });
  });
}

describe.each([
  ['child process', false],
  ['worker thread', true],
])('ipc with a %s', (kind, worker) => {
  it('requests go both ways: parent → child, and child → parent', async () => {
    const main = make('main');
    main.handle('parent.double', (m) => (m.value as number) * 2);
    const peer = await start(main, 'kid', 'peer', worker);
    expect(peer.id).toBe('kid');
    expect((peer.link as IpcLink).child).toBeDefined();
    await main.reachable('jobs.run', { timeout: 5000 });
    expect(await main.request('jobs.run', { n: 7 })).toEqual({ by: 'kid', n: 7, square: 49 });
    // The child handles child.ask by asking the parent's parent.double.
    expect(await peer.request('child.ask', 21)).toEqual({ by: 'kid', parentSaid: 42 });
  });

  it('a killed child is noticed at once; its in-flight requests fail over to the others', async () => {
    const main = make('main');
    const started: string[] = [];
    main.on('jobs.started', (m) => started.push((m.value as { by: string }).by));
    const peers: Peer[] = await Promise.all(
      ['w0', 'w1', 'w2'].map((id) => start(main, id, 'peer', worker)),
    );
    await expect.poll(() => main.describe().peers.length, { timeout: 5000 }).toBe(3);
    await main.reachable('jobs.slow', { timeout: 5000 });
    const jobs = Array.from({ length: 9 }, (_, n) =>
      main.request('jobs.slow', { n, ms: 300 }, { timeout: 10_000 }),
    );
    await expect.poll(() => started.includes('w1'), { timeout: 5000 }).toBe(true);
    const gone = next(main, '$exchange.peer.disconnected', (v) => v.peer === 'w1');
    const t0 = performance.now();
    const victim = (peers[1].link as IpcLink).child!;
    if ('terminate' in victim) void victim.terminate();
    else victim.kill('SIGKILL');
    await gone;
    const detectMs = performance.now() - t0;
    console.log(`ipc (${kind}): a killed child noticed after ${detectMs.toFixed(1)} ms`);
    expect(detectMs).toBeLessThan(1000);
    const results = (await Promise.all(jobs)) as { by: string; n: number }[];
    expect(results.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.filter((r) => r.by === 'w1')).toEqual([]);
    expect(new Set(results.map((r) => r.by))).toEqual(new Set(['w0', 'w2']));
  });

  it('a child that exits by itself mid-request is failed over too', async () => {
    const main = make('main');
    await Promise.all(['x0', 'x1'].map((id) => start(main, id, 'peer', worker)));
    await expect.poll(() => main.describe().peers.length, { timeout: 5000 }).toBe(2);
    const results = (await Promise.all(
      [0, 1, 2, 3].map((n) =>
        main.request('jobs.slow', { n, ms: 200, exitIf: 'x1' }, { timeout: 10_000 }),
      ),
    )) as { by: string }[];
    expect(results.map((r) => r.by)).toEqual(['x0', 'x0', 'x0', 'x0']);
    expect(main.describe().peers).toEqual(['x0']);
  });

  it('a script that exits before connecting fails the connect with TRANSPORT_CLOSED', async () => {
    const main = make('main');
    await expect(start(main, 'quitter', 'exit', worker)).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
      message: expect.stringMatching(/exited with code 3/),
    });
  });
});

describe('ipc flow control', () => {
  it('a fast producer and a slow consumer: all 50,000 delivered in order, buffers bounded', async () => {
    const main = make('producer');
    const bounds = { maxBuffered: 64 * 1024, maxQueued: 2000 };
    const peer = await main.connect({
      transport: 'ipc',
      script: FIXTURE,
      args: ['sink', 'sink', JSON.stringify({ spinMicros: 20, window: 16 * 1024 })],
      execArgv: [],
      ...bounds,
    });
    const link = peer.link as IpcLink;
    await main.reachable('n', { observer: true, timeout: 5000 });
    const uncongested = () => next(main, '$exchange.congested', (v) => !v.congested, 15_000);
    const pad = 'x'.repeat(100);
    let maxQueued = 0;
    let pauses = 0;
    const t0 = performance.now();
    for (let i = 0; i < 50_000; i++) {
      // A well-behaved producer pauses while the link says it is congested.
      if (peer.congested) {
        pauses++;
        await uncongested();
      }
      peer.send('n', { i, pad });
      maxQueued = Math.max(maxQueued, link.queued);
    }
    const report = await peer.request('sink.report', undefined, { timeout: 30_000 });
    const ms = performance.now() - t0;
    const flow = link.flow;
    console.log(
      `ipc flow control: 50,000 messages in ${ms.toFixed(0)} ms (${Math.round(50_000 / (ms / 1000))}/s); ` +
        `max buffered ${flow.maxBuffered} B (bound ${bounds.maxBuffered} B + one flush), ` +
        `window ${flow.window} B, max queued ${maxQueued} frames, producer paused ${pauses} times`,
    );
    expect(report).toEqual({ count: 50_000, inOrder: true });
    expect(main.counters.dropped).toBe(0);
    expect(flow.window).toBe(16 * 1024);
    // The consumer is slower, so credit ran short, the link stopped writing, its queue filled
    // and the producer was told to wait.
    expect(pauses).toBeGreaterThan(0);
    // The link writes only while under maxBuffered, and then at most its queue (each frame here
    // is under 300 bytes); the queue itself never passes maxQueued.
    expect(flow.maxBuffered).toBeLessThanOrEqual(bounds.maxBuffered + bounds.maxQueued * 300);
    expect(maxQueued).toBeLessThanOrEqual(bounds.maxQueued);
  });
});

describe('ipc without a parent', () => {
  it('connect({ parent: true }) in a process with no channel fails with TRANSPORT_CLOSED', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [FIXTURE, 'alone', 'lonely'], { timeout: 15_000 }, (e, stdout) =>
        e ? reject(new Error(`the lonely fixture failed: ${e.message}`)) : resolve(stdout),
      ),
    );
    expect(out.trim()).toBe('error TRANSPORT_CLOSED');
  });
});
