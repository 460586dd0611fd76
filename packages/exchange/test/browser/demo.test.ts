// The main job in a real browser: `exchange serve`'s hub (startHub, demo on) serves the demo page;
// headless Chromium opens it, presses its buttons, and we read what the page shows. Also an
// exchange in the page joining through HTTP alone (fetch + Server-Sent Events).
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/hub/config.js';
import { startHub, type Hub } from '../../src/hub/hub.js';
import { launchChromium } from './chromium.js';

const WAIT = 10_000;
const BUNDLE = new URL('../../dist/browser/exchange.js', import.meta.url);

let hub: Hub;
let browser: Browser;
let page: Page;
/** Uncaught exceptions in the page (asserted empty). */
const errors: string[] = [];
/** Console errors and failed loads, for the message when setup fails. */
const diagnostics: string[] = [];
const cleanup: (() => unknown)[] = [];
/** Why the setup failed: every test fails with it (a failed beforeAll would only skip them). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    await setUp();
  } catch (e) {
    setupError = e as Error;
  }
}, 30_000);

/** Fail the calling test if the setup did. */
function ready(): void {
  if (setupError) throw setupError;
}

async function setUp(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error('no browser bundle in dist/: run npm run build');
  hub = await startHub({ ...DEFAULTS, port: 0, demo: true });
  cleanup.push(() => hub.close());
  browser = await launchChromium(WAIT);
  cleanup.push(() => browser.close());
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) diagnostics.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') diagnostics.push(`console: ${m.text()}`);
  });
  await page.goto(hub.url, { timeout: WAIT });
  await page
    .waitForFunction(() => (globalThis as { demoReady?: boolean }).demoReady, undefined, {
      timeout: WAIT,
    })
    .catch((e: Error) => {
      throw new Error(
        `${e.message}; page said: ${[...errors, ...diagnostics].join(' | ') || 'nothing'}`,
      );
    });
}

afterAll(async () => {
  for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => {});
});

describe('the demo page the hub serves, in Chromium', () => {
  it('asks the server, which asks the database; the page shows the users and the whole route', async () => {
    ready();
    await page.click('#admins');
    await page.waitForFunction(
      () => (globalThis as { lastTrace?: string[] }).lastTrace,
      undefined,
      {
        timeout: WAIT,
      },
    );
    const trace = await page.evaluate(
      () => (globalThis as unknown as { lastTrace: string[] }).lastTrace,
    );
    expect(trace[0]).toMatch(/^browser-/);
    expect(trace.slice(1, -1)).toEqual(['hub', 'server', 'database', 'server', 'hub']);
    const text = await page.textContent('#result');
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('Grace Hopper');
    expect(text).not.toContain('Linus');
    expect(errors).toEqual([]);
  });

  it('shows the typed error for a request nobody handles', async () => {
    ready();
    await page.click('#nobody');
    await page.waitForFunction(() => document.querySelector('#result .err') !== null, undefined, {
      timeout: WAIT,
    });
    expect(await page.textContent('#result')).toMatch(/^NO_ROUTE: /);
  });

  it('an exchange in the page can join through HTTP alone (fetch and SSE)', async () => {
    ready();
    // A string, not a function: vitest would rewrite a dynamic import inside a function.
    const reply = await page.evaluate<{ count: number; trace: string[] }>(`(async () => {
      const X = await import('/exchange.js');
      const ex = X.exchange({ id: 'page-http' });
      await ex.connect({ transport: 'http', url: location.origin });
      await ex.reachable('users.list', { timeout: 5000 });
      const r = await ex.requestMessage('users.list', {});
      ex.close();
      return { count: r.value.length, trace: r.trace.map((h) => h.ex) };
    })()`);
    expect(reply).toEqual({
      count: 3,
      trace: ['page-http', 'hub', 'server', 'database', 'server', 'hub', 'page-http'],
    });
  });
});
