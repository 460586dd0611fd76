import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../../src/hub/config.js';
import { HubStartError, startHub, type Hub } from '../../src/hub/hub.js';
import { exchange, type Exchange } from '../../src/index.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function hub(demo = true): Promise<Hub> {
  const h = await startHub({ ...DEFAULTS, port: 0, demo });
  cleanup.push(() => h.close());
  return h;
}

function client(id: string): Exchange {
  const ex = exchange({ id });
  cleanup.push(() => ex.close());
  return ex;
}

describe('hub', () => {
  it('runs the founding demo: a WebSocket client asks the server, which asks the database', async () => {
    const h = await hub();
    const browser = client('browser');
    await browser.connect({ transport: 'websocket', url: h.wsUrl });
    await browser.reachable('users.list', { timeout: 3000 });
    const reply = await browser.requestMessage('users.list', { role: 'admin' });
    expect((reply.value as { name: string }[]).map((u) => u.name)).toEqual([
      'Ada Lovelace',
      'Grace Hopper',
    ]);
    expect(reply.trace.map((hop) => hop.ex)).toEqual([
      'browser',
      'hub',
      'server',
      'database',
      'server',
      'hub',
      'browser',
    ]);
  });

  it("the demo's server is a leaf of the hub: it hears none of the clients' routes", async () => {
    const h = await hub();
    const others = ['c1', 'c2', 'c3'].map((id) => client(id));
    for (const c of others) {
      c.on(`${c.id}.news`, () => {});
      await c.connect({ transport: 'websocket', url: h.wsUrl });
    }
    const last = others[2];
    await h.exchange.reachable(`${last.id}.news`, { observer: true, timeout: 3000 });
    const known = (ex: Exchange) => ex.describe().routes.map((r) => r.pattern);
    expect(known(h.exchange)).toEqual(expect.arrayContaining(['c1', 'c3.news']));
    expect(known(h.demo!.server).filter((p) => p.startsWith('c'))).toEqual([]);
    // It still answers clients through the hub, and reaches the database behind it.
    expect(await last.request('users.list', { role: 'admin' })).toHaveLength(2);
  });

  it('serves the demo page, health, info and the dashboard slot over HTTP on the same port', async () => {
    const h = await hub();
    const page = await fetch(h.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("import { exchange } from '/exchange.js'");
    const health = (await (await fetch(h.url + 'health')).json()) as { ok: boolean; id: string };
    expect(health).toMatchObject({ ok: true, id: 'hub' });
    const info = (await (await fetch(h.url + 'info')).json()) as { peers: string[] };
    expect(info.peers).toContain('server');
    expect((await fetch(h.url + 'dashboard')).status).toBe(200);
    const missing = await fetch(h.url + 'no/such/thing');
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([
      404,
      'NOT_FOUND',
    ]);
  });

  it('refuses a taken port with a typed error that says what to do', async () => {
    const first = await hub(false);
    const err = await startHub({ ...DEFAULTS, port: first.port, demo: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HubStartError);
    expect(err).toMatchObject({ code: 'PORT_IN_USE', message: expect.stringMatching(/--port/) });
  });
});

describe('hub configuration', () => {
  it('takes defaults, then a file, then environment, then flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exchange-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ port: 5000, id: 'from-file', logSize: 5 }));
    const config = loadConfig({ id: 'from-flag' }, { EXCHANGE_PORT: '6000' }, file);
    expect(config).toMatchObject({ id: 'from-flag', port: 6000, logSize: 5, demo: true });
  });

  it('bounds the log by bytes: 64 MiB unless told, validated, and the hub logs by it', async () => {
    expect(loadConfig({}, {}).logMaxBytes).toBe(64 * 1024 * 1024);
    expect(loadConfig({}, { EXCHANGE_LOG_MAX_BYTES: '2048' }).logMaxBytes).toBe(2048);
    expect(() => loadConfig({}, { EXCHANGE_LOG_MAX_BYTES: '100' })).toThrow(
      /^logMaxBytes \(from env\): must be an integer from 1024 to \d+, got "100"/,
    );
    const hub = await startHub({ ...DEFAULTS, port: 0, demo: false, logMaxBytes: 64 * 1024 });
    try {
      expect(hub.exchange.log.maxBytes).toBe(64 * 1024);
    } finally {
      await hub.close();
    }
  });

  it('names the bad field and where it came from', () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad(() => loadConfig({}, { EXCHANGE_PORT: 'eighty' }))).toMatch(
      /^port \(from env\): must be an integer from 0 to 65535, got "eighty"/,
    );
    expect(bad(() => loadConfig({ logLevel: 'loud' }, {}))).toMatch(/^logLevel \(from flag\)/);
    expect(bad(() => loadConfig({}, {}, '/no/such/file.json'))).toMatch(/cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'exchange-config-'));
    writeFileSync(join(dir, 'x.json'), '{"colour": "blue"}');
    expect(bad(() => loadConfig({}, {}, join(dir, 'x.json')))).toMatch(/^colour .*unknown setting/);
  });
});
