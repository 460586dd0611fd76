// The browser bundle in a real, headless Chromium: the page loads `exchange.js` (built fresh
// from src by scripts/build-browser.mjs), connects over the native WebSocket to a hub in this
// process, and asks and observes exchanges on the Node side.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exchange, type Exchange } from '../../src/index.js';
import type * as BrowserEntry from '../../src/browser.js';
import { launchChromium } from './chromium.js';

/** The bound on every wait in this file, in ms. */
const WAIT = 10_000;
const BUILD = fileURLToPath(new URL('../../scripts/build-browser.mjs', import.meta.url));
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>exchange in a browser</title>
<link rel="icon" href="data:,">
<script type="module">
  import * as X from './exchange.js';
  globalThis.X = X;
</script>
`;

/** What the page keeps on its globalThis (set by PAGE's script and the evaluates below). */
interface PageGlobals {
  X: typeof BrowserEntry;
  ex: Exchange;
  seen: { value: unknown; trace: string[] }[];
}

let page: Page;
let db: Exchange;
let buildOutput = '';
const pageErrors: string[] = [];
/** Messages the page received on its WebSocket, as Chromium saw them. */
const received: (string | Buffer)[] = [];
/** Run in reverse order in afterAll, each whatever the others do. */
const cleanup: (() => unknown)[] = [];
/** Why the setup failed: each test fails with it (a failed beforeAll would only skip them). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    await setUp();
  } catch (e) {
    setupError = e instanceof Error ? e : new Error(String(e));
  }
}, 90_000);
beforeEach(() => {
  if (setupError !== undefined) throw setupError;
});

async function setUp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-browser-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const built = await promisify(execFile)(process.execPath, [BUILD, '--outdir', dir], {
    timeout: 60_000,
  });
  buildOutput = built.stdout;

  const http = await serve({
    '/': ['text/html', PAGE],
    '/exchange.js': ['text/javascript', readFileSync(join(dir, 'exchange.js'))],
    '/exchange.js.map': ['application/json', readFileSync(join(dir, 'exchange.js.map'))],
  });
  cleanup.push(() => closeServer(http));
  const hub = exchange({ id: 'hub' });
  cleanup.push(() => hub.close());
  const listener = await hub.listen({ transport: 'websocket', server: http, path: '/ws' });
  cleanup.push(() => listener.close());
  db = exchange({ id: 'db', handlers: { 'users.list': () => ['ada', 'linus'] } });
  cleanup.push(() => db.close());
  await db.connect({ transport: 'websocket', url: listener.url, connectTimeout: WAIT });

  const browser = await launchChromium(WAIT);
  cleanup.push(() => browser.close());
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(f.payload)));
  const { port } = http.address() as { port: number };
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'X' in globalThis);
  await bounded(
    page.evaluate(async (url) => {
      const g = globalThis as unknown as PageGlobals;
      g.seen = [];
      g.ex = g.X.exchange({ id: 'browser' });
      g.ex.on('users.changed', (m) => {
        g.seen.push({ value: m.value, trace: m.trace.map((h) => h.ex) });
      });
      await g.ex.connect({ transport: 'websocket', url, connectTimeout: 5000 });
      await g.ex.reachable('users.list', { timeout: 5000 });
    }, listener.url),
    'the page connecting to the hub',
  );
}

afterAll(async () => {
  const failures: unknown[] = [];
  for (const step of cleanup.reverse()) {
    try {
      await bounded(Promise.resolve(step()), 'a cleanup step');
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'browser test cleanup failed');
}, 60_000);

describe('exchange in a real browser (headless Chromium, native WebSocket)', () => {
  it('builds a bundle with no Node imports, which the page loads without errors', () => {
    expect(buildOutput).toMatch(/exchange\.js: [\d.]+ KiB raw, [\d.]+ KiB gzip/);
    expect(pageErrors).toEqual([]);
  });

  it('asks users.list through the hub, and the reply comes back with its trace', async () => {
    const reply = await bounded(
      page.evaluate(async () => {
        const g = globalThis as unknown as PageGlobals;
        const m = await g.ex.requestMessage('users.list', undefined, { timeout: 5000 });
        return { value: m.value, trace: m.trace.map((h) => h.ex) };
      }),
      'the request from the page',
    );
    expect(reply).toEqual({
      value: ['ada', 'linus'],
      trace: ['browser', 'hub', 'db', 'hub', 'browser'],
    });
  });

  it('observes a message that an exchange in Node sends', async () => {
    await db.reachable('users.changed', { observer: true, timeout: WAIT });
    db.send('users.changed', { added: 'grace' });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).seen.length > 0);
    const seen = await page.evaluate(() => (globalThis as unknown as PageGlobals).seen);
    expect(seen).toEqual([{ value: { added: 'grace' }, trace: ['db', 'hub', 'browser'] }]);
  });

  it('fails a request nobody handles with a typed NO_ROUTE error in the page', async () => {
    const error = await bounded(
      page.evaluate(async () => {
        const g = globalThis as unknown as PageGlobals;
        try {
          await g.ex.request('nobody.handles', 1, { timeout: 5000 });
          return undefined;
        } catch (e) {
          const { code, name, data } = e as { code: string; name: string; data: unknown };
          return { code, name, data, typed: g.X.isExchangeError(e, 'NO_ROUTE') };
        }
      }),
      'the unhandled request',
    );
    expect(error).toEqual({
      code: 'NO_ROUTE',
      name: 'NoRouteError',
      data: { name: 'nobody.handles' },
      typed: true,
    });
  });

  it('refuses transports that need Node, and listening, with UNKNOWN_TRANSPORT', async () => {
    const codes = await bounded(
      page.evaluate(async () => {
        const g = globalThis as unknown as PageGlobals;
        const attempts = [
          g.ex.connect({ transport: 'tcp', host: '127.0.0.1', port: 1 } as never),
          g.ex.connect({ transport: 'ipc', path: '/tmp/x' } as never),
          g.ex.listen({ transport: 'websocket', port: 0 } as never),
        ];
        const outcomes = await Promise.allSettled(attempts);
        return outcomes.map((o) =>
          o.status === 'rejected' ? (o.reason as { code: string }).code : 'connected',
        );
      }),
      'the Node-only transports',
    );
    expect(codes).toEqual(['UNKNOWN_TRANSPORT', 'UNKNOWN_TRANSPORT', 'UNKNOWN_TRANSPORT']);
  });

  it('negotiates msgpack-compact: the hub picks it in its hello, then sends binary messages', () => {
    const [hello, ...rest] = received;
    expect(typeof hello).toBe('string');
    expect(JSON.parse(hello as string)).toMatchObject([
      { t: 'hello', id: 'hub', codec: 'msgpack-compact' },
    ]);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((data) => Buffer.isBuffer(data))).toBe(true);
  });
});

/** Serve fixed files on loopback, port 0. */
async function serve(files: Record<string, [type: string, body: string | Buffer]>) {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

/** `promise`, or a rejection naming `what` if it takes longer than WAIT. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${WAIT} ms`)), WAIT);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
