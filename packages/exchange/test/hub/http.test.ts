/**
 * The hub's HTTP API and the `http` transport, end to end: a real hub on 127.0.0.1 (port 0), real
 * `curl` processes, real WebSocket and HTTP clients. The curl commands are those of docs/http.md
 * (checked below), run against the test's hub.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type HubConfig } from '../../src/hub/config.js';
import { httpApi, type HttpApiInit } from '../../src/hub/http-api.js';
import { httpLinks, type HttpLinksInit } from '../../src/hub/http-link.js';
import { HTTP_STATUS, httpStatusOf } from '../../src/hub/http-util.js';
import { startHub, type Hub, type HttpRoute } from '../../src/hub/hub.js';
import { ERROR_CODES, type ErrorCode } from '../../src/exchange/errors.js';
import { exchange, type Envelope, type Exchange, type Frame, type Link } from '../../src/index.js';

// ---- helpers --------------------------------------------------------------------------------

const DOC_URL = 'http://127.0.0.1:4860/';
const DOC = new URL('../../../../docs/http.md', import.meta.url);

/** The commands of docs/http.md, by what they show. */
const EX = {
  emit: `curl -s -i -X POST '${DOC_URL}messages/orders.created' -H 'x-exchange-header-tenant: acme' -d '{"id":42,"total":9.5}'`,
  emitEmpty: `curl -s -i -X POST '${DOC_URL}messages/orders.checked'`,
  ask: `curl -s -i -X POST '${DOC_URL}requests/users.list' -d '{"role":"admin"}'`,
  askTimeout: `curl -s -i -X POST '${DOC_URL}requests/users.list?timeout=2000'`,
  info: `curl -s -i -X POST '${DOC_URL}requests/$exchange.info'`,
  noRoute: `curl -s -i -X POST '${DOC_URL}requests/nobody.home'`,
  remote: `curl -s -i -X POST '${DOC_URL}requests/db.query' -d '{"table":"orders"}'`,
  badTimeout: `curl -s -i -X POST '${DOC_URL}requests/users.list?timeout=abc'`,
  badName: `curl -s -i -X POST '${DOC_URL}messages/orders..created'`,
  badJson: `curl -s -i -X POST '${DOC_URL}messages/orders.created' -d '{"id":'`,
  system: `curl -s -i -X POST '${DOC_URL}messages/$exchange.peer.connected'`,
  origin: `curl -s -i -X POST '${DOC_URL}messages/orders.created' -H 'Origin: https://elsewhere.example'`,
  tooLarge: `curl -s -i -X POST '${DOC_URL}messages/blob' --data-binary @big.json`,
  events: `curl -s -N '${DOC_URL}events?pattern=orders.>'`,
  resume: `curl -s -N '${DOC_URL}events?pattern=orders.>' -H "Last-Event-ID: $LAST"`,
  link: `curl -s -i -X POST '${DOC_URL}link'`,
} as const;

/** Shell words of a one-line command: '…' literal, "…" with $VARS, bare words. */
function words(command: string, vars: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined)
      out.push(m[2].replace(/\$(\w+)/g, (_, v: string) => vars[v] ?? ''));
    else out.push(m[3]);
  }
  return out;
}

/** A documented curl command's arguments, aimed at `hub`. */
function argsOf(hub: Hub, command: string, vars: Record<string, string> = {}): string[] {
  const [curl, ...args] = words(command, vars);
  expect(curl).toBe('curl');
  return args.map((a) => a.replace(DOC_URL, hub.url));
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any;
}

/** Run curl (bounded by --max-time) and parse its `-i` output. */
function curl(args: string[], options: { cwd?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--max-time', '10', ...args],
      { encoding: 'utf8', maxBuffer: 16 << 20, ...options },
      (error, stdout) => {
        if (error && !stdout) return reject(new Error(error.message, { cause: error }));
        resolve(parseAnswer(stdout));
      },
    );
  });
}

function parseAnswer(text: string): Answer {
  // `-i` output: maybe a `100 Continue` block, then the status line, headers, a blank line.
  let rest = text;
  for (;;) {
    const split = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, split);
    rest = rest.slice(split + 4);
    const [statusLine, ...lines] = head.split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    if (status === 100) continue;
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]),
    );
    let json: unknown;
    try {
      json = rest === '' ? undefined : JSON.parse(rest);
    } catch {
      json = undefined;
    }
    return { status, headers, body: rest, json };
  }
}

/** A documented command with `-i` against `hub`. */
const run = (hub: Hub, command: string, options: { cwd?: string } = {}) =>
  curl(argsOf(hub, command), options);

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** `curl -N` streaming events; `until` waits (bounded) for an event that passes. */
class Stream {
  readonly events: SseEvent[] = [];
  private buffer = '';
  private readonly waiters = new Set<() => void>();
  readonly child: ChildProcess;

  constructor(args: string[], read = true) {
    this.child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    if (read) this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.take(d));
  }

  private take(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const ev: SseEvent = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) ev.comment = line.slice(1).trim();
        const i = line.indexOf(': ');
        if (i > 0) (ev as Record<string, string>)[line.slice(0, i)] = line.slice(i + 2);
      }
      this.events.push(ev);
    }
    for (const w of this.waiters) w();
  }

  /** The first event (from `from` on) that passes `test`. */
  until(test: (e: SseEvent) => boolean, from = 0, ms = 5000): Promise<SseEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.slice(from).find(test);
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no such event within ${ms} ms; got ${JSON.stringify(this.events)}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Events named `name` (message events carry their envelope). */
  messages(name?: string): Envelope[] {
    return this.events
      .filter((e) => e.data !== undefined && !e.event?.startsWith('$'))
      .filter((e) => name === undefined || e.event === name)
      .map((e) => JSON.parse(e.data!) as Envelope);
  }

  ready(): Promise<SseEvent> {
    return this.until((e) => e.event === '$ready');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}

const openStream = (hub: Hub, command: string, vars: Record<string, string> = {}, read = true) =>
  new Stream(argsOf(hub, command, vars), read);

/** A hub on port 0 with the given settings, closed by `await using`. */
async function hubOf(
  config: Partial<HubConfig> = {},
  routes: HttpRoute[] = [],
): Promise<Hub & AsyncDisposable> {
  const hub = await startHub({ ...DEFAULTS, port: 0, demo: false, ...config }, { routes });
  return Object.assign(hub, { [Symbol.asyncDispose]: () => hub.close() });
}

/** An exchange closed by `using`. */
function ex(id: string): Exchange & Disposable {
  const e = exchange({ id });
  return Object.assign(e, { [Symbol.dispose]: () => e.close() });
}

/**
 * A hub whose HTTP API (or link routes) has test-sized bounds: the route is built once the hub's
 * exchange exists, and is tried before the built-in one.
 */
async function hubWithApi(init: HttpApiInit, config: Partial<HubConfig> = {}) {
  const late: { api?: ReturnType<typeof httpApi> } = {};
  const hub = await hubOf(config, [(req, res, url) => late.api!.route(req, res, url)]);
  const api = (late.api = httpApi(hub.exchange, init));
  const close = hub.close;
  return Object.assign(hub, {
    api,
    close: async () => {
      api.close();
      await close();
    },
  });
}

/** A hub whose `/link` routes are the test's (see `hubWithApi`). */
async function hubWithLinks(init: HttpLinksInit) {
  const late: { links?: ReturnType<typeof httpLinks> } = {};
  const hub = await hubOf({}, [(req, res, url) => late.links!.route(req, res, url)]);
  const links = (late.links = httpLinks(hub.exchange, init));
  return Object.assign(hub, { links });
}

/**
 * A peer that answers every request for `guarded.{code}` with a router error of that code (as a
 * security layer or a relay on the way would), through the public Link contract.
 */
function gatekeeper(hubEx: Exchange): void {
  let n = 0;
  const link: Link & { state: 'open' | 'closed' } = {
    state: 'open',
    send(frame: Frame) {
      if (frame.t !== 'msg' || frame.env.kind !== 'req') return true;
      const req = frame.env;
      const code = req.name.split('.')[1].toUpperCase();
      const at = Date.now();
      const env: Envelope = {
        id: `gatekeeper:0.0:${(n++).toString(36)}`,
        kind: 'err',
        name: req.name,
        value: undefined,
        from: 'gatekeeper',
        to: req.from,
        ts: at,
        trace: [...req.trace, { ex: 'gatekeeper', at }],
        corr: req.id,
        error: { code, message: `the gatekeeper says ${code}` },
        errorSource: 'router',
      };
      queueMicrotask(() => link.onFrame({ t: 'msg', env, mode: 1 }));
      return true;
    },
    close() {
      link.state = 'closed';
      link.onClose('closed');
    },
    onFrame: () => {},
    onClose: () => {},
    onCongested: () => {},
  };
  void hubEx.attach(link);
  link.onFrame({
    t: 'hello',
    id: 'gatekeeper',
    protocol: 1,
    adverts: [{ k: 'h', p: 'guarded.*', d: 0 }],
  });
}

// ---- the docs ---------------------------------------------------------------------------------

describe('docs/http.md', () => {
  it('shows exactly the curl commands these tests run', async () => {
    const doc = await readFile(DOC, 'utf8');
    const documented = doc
      .split('\n')
      .filter((l) => l.startsWith('curl '))
      .sort();
    expect(documented).toEqual(Object.values(EX).sort());
  });
});

// ---- the API ---------------------------------------------------------------------------------

describe('HTTP API (curl against a hub with the demo)', () => {
  let hub: Hub;
  let dir: string;
  beforeAll(async () => {
    hub = await startHub({ ...DEFAULTS, port: 0, demo: true, heartbeat: 300 });
    dir = await mkdtemp(join(tmpdir(), 'exchange-http-'));
  });
  afterAll(async () => {
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('POST /messages emits with headers: 202 and the id; an observer gets value and headers', async () => {
    using watcher = ex('watcher');
    const seen: Envelope[] = [];
    watcher.on('orders.*', (m) => seen.push(m));
    await watcher.connect({ transport: 'websocket', url: hub.wsUrl });
    await hub.exchange.reachable('orders.created', { observer: true, timeout: 2000 });
    const a = await run(hub, EX.emit);
    expect(a.status).toBe(202);
    expect(a.json).toEqual({ id: expect.stringMatching(/^hub:/) });
    const b = await run(hub, EX.emitEmpty);
    expect(b.status).toBe(202);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen[0]).toMatchObject({
      id: a.json.id,
      name: 'orders.created',
      value: { id: 42, total: 9.5 },
      headers: { tenant: 'acme' },
    });
    expect(seen[1].name).toBe('orders.checked');
    expect(seen[1].value).toBeUndefined();
  });

  it('POST /requests answers with the reply value, who answered, and 204 for no value', async () => {
    const a = await run(hub, EX.ask);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/^application\/json/);
    expect(a.headers['x-exchange-from']).toBe('server');
    expect(a.json.map((u: { name: string }) => u.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    const b = await run(hub, EX.askTimeout);
    expect(b.status).toBe(200);
    expect(b.json).toHaveLength(3);
    const info = await run(hub, EX.info);
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ id: 'hub', peers: ['server'] });

    using quiet = ex('quiet');
    quiet.handle('quiet.op', () => undefined);
    await quiet.connect({ transport: 'websocket', url: hub.wsUrl });
    await hub.exchange.reachable('quiet.op', { timeout: 2000 });
    const c = await curl(['-s', '-i', '-X', 'POST', `${hub.url}requests/quiet.op`]);
    expect(c.status).toBe(204);
    expect(c.body).toBe('');
  });

  it('maps the errors the demo can show to their statuses, with the typed error as the body', async () => {
    const cases: [keyof typeof EX, number, string][] = [
      ['noRoute', 503, 'NO_ROUTE'],
      ['remote', 502, 'REMOTE'],
      ['badTimeout', 400, 'BAD_REQUEST'],
      ['badName', 400, 'INVALID_NAME'],
      ['badJson', 400, 'BAD_JSON'],
      ['system', 403, 'FORBIDDEN'],
      ['origin', 403, 'FORBIDDEN'],
    ];
    for (const [example, status, code] of cases) {
      const a = await run(hub, EX[example]);
      expect({ example, status: a.status, code: a.json?.code }).toEqual({ example, status, code });
      expect(typeof a.json.message).toBe('string');
    }
    const remote = await run(hub, EX.remote);
    expect(remote.json).toEqual({
      code: 'REMOTE',
      message: 'no table orders',
      data: { remoteCode: 'INTERNAL' },
    });
    const name = await run(hub, EX.badName);
    expect(name.json.data).toEqual({ name: 'orders..created' });
    expect(name.json.message).toBe("empty token at position 2 in 'orders..created'");
  });

  it('answers a body over maxBytes with 413 TOO_LARGE, announced or streamed', async () => {
    await writeFile(join(dir, 'big.json'), '7'.repeat(2_000_000));
    const a = await run(hub, EX.tooLarge, { cwd: dir });
    expect(a.status).toBe(413);
    expect(a.json).toEqual({
      code: 'TOO_LARGE',
      message: 'the body is 2000000 bytes; this hub accepts at most 1048576',
      data: { max: 1_048_576 },
    });
    // Chunked, so the size is known only while reading.
    const chunked = argsOf(hub, EX.tooLarge).concat('-H', 'transfer-encoding: chunked');
    const b = await curl(chunked, { cwd: dir });
    expect(b.status).toBe(413);
    expect(b.json.code).toBe('TOO_LARGE');
    // The hub still serves.
    expect((await run(hub, EX.askTimeout)).status).toBe(200);
  });

  it('answers unknown endpoints with 404 and wrong methods with 405', async () => {
    const a = await curl(['-s', '-i', `${hub.url}nothing/here`]);
    expect(a.status).toBe(404);
    expect(a.json.code).toBe('NOT_FOUND');
    const b = await curl(['-s', '-i', `${hub.url}messages/orders.created`]);
    expect(b.status).toBe(405);
    expect(b.headers.allow).toBe('POST');
    expect(b.json.code).toBe('METHOD_NOT_ALLOWED');
    const c = await curl(['-s', '-i', '-X', 'POST', `${hub.url}events`]);
    expect(c.status).toBe(405);
  });

  it('TIMEOUT is a 504; a caller that hangs up cancels its request, leaving nothing pending', async () => {
    using slow = ex('slow');
    slow.handle('slow.report', () => new Promise(() => {}));
    await slow.connect({ transport: 'websocket', url: hub.wsUrl });
    await hub.exchange.reachable('slow.report', { timeout: 2000 });
    const t = await curl(['-s', '-i', '-X', 'POST', `${hub.url}requests/slow.report?timeout=200`]);
    expect(t.status).toBe(504);
    expect(t.json).toMatchObject({
      code: 'TIMEOUT',
      data: { name: 'slow.report', timeoutMs: 200 },
    });

    const started = Date.now();
    const gone = curl([
      '-s',
      '-i',
      '--max-time',
      '1',
      '-X',
      'POST',
      `${hub.url}requests/slow.report?timeout=30000`,
    ]).catch((e: Error) => e);
    await expect.poll(() => hub.exchange.describe().counters.pending).toBe(1);
    await gone;
    await expect.poll(() => hub.exchange.describe().counters.pending, { timeout: 5000 }).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('maps router errors from a peer: 401, 403, 429, 502, 503, and 500 for the rest', async () => {
    gatekeeper(hub.exchange);
    const cases: [string, number][] = [
      ['unauthenticated', 401],
      ['forbidden', 403],
      ['quota_exceeded', 429],
      ['too_large', 413],
      ['transport_closed', 502],
      ['congested', 503],
      ['no_route', 503],
      ['timeout', 504],
      ['loop', 500],
      ['internal', 500],
    ];
    for (const [code, status] of cases) {
      const a = await curl(['-s', '-i', '-X', 'POST', `${hub.url}requests/guarded.${code}`]);
      expect({ code, status: a.status, body: a.json?.code }).toEqual({
        code,
        status,
        body: code.toUpperCase(),
      });
    }
    // A code this side does not know arrives as REMOTE, keeping it.
    const odd = await curl(['-s', '-i', '-X', 'POST', `${hub.url}requests/guarded.teapot`]);
    expect(odd.status).toBe(502);
    expect(odd.json).toMatchObject({ code: 'REMOTE', data: { remoteCode: 'TEAPOT' } });
  });

  it('gives every exchange error code a status (unlisted ones: 500)', () => {
    const expected: Partial<Record<ErrorCode, number>> = {
      INVALID_NAME: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      TOO_LARGE: 413,
      QUOTA_EXCEEDED: 429,
      REMOTE: 502,
      TRANSPORT_CLOSED: 502,
      NO_ROUTE: 503,
      CONGESTED: 503,
      TIMEOUT: 504,
    };
    for (const code of ERROR_CODES)
      expect([code, httpStatusOf(code)]).toEqual([code, expected[code] ?? 500]);
    expect(HTTP_STATUS.BAD_JSON).toBe(400);
  });
});

// ---- Server-Sent Events ------------------------------------------------------------------------

describe('GET /events (curl -N)', () => {
  it('streams observed messages as id/event/data, with heartbeats', async () => {
    await using hub = await hubOf({ heartbeat: 200 });
    await using stream = openStream(hub, EX.events);
    const ready = await stream.ready();
    expect(JSON.parse(ready.data!)).toEqual({ pattern: 'orders.>', id: Number(ready.id) });
    expect((await run(hub, EX.emit)).status).toBe(202);
    await run(hub, EX.emitEmpty);
    await curl(['-s', '-X', 'POST', `${hub.url}messages/invoices.created`, '-d', '1']);
    const first = await stream.until((e) => e.event === 'orders.created');
    expect(Number(first.id)).toBe(Number(ready.id) + 1);
    const env = JSON.parse(first.data!) as Envelope;
    expect(env).toMatchObject({ name: 'orders.created', value: { id: 42, total: 9.5 } });
    expect(env.headers).toEqual({ tenant: 'acme' });
    const second = await stream.until((e) => e.event === 'orders.checked');
    expect(Number(second.id)).toBe(Number(ready.id) + 2);
    await stream.until((e) => e.comment === 'ping');
    expect(stream.messages().map((m) => m.name)).toEqual(['orders.created', 'orders.checked']);
  });

  it('streams messages from WebSocket peers, and rejects a bad pattern with 400', async () => {
    await using hub = await hubOf();
    await using stream = openStream(hub, EX.events);
    await stream.ready();
    using shop = ex('shop');
    await shop.connect({ transport: 'websocket', url: hub.wsUrl });
    await shop.reachable('orders.paid', { observer: true, timeout: 2000 });
    shop.send('orders.paid', { id: 7 });
    const ev = await stream.until((e) => e.event === 'orders.paid');
    expect(JSON.parse(ev.data!).trace.map((h: { ex: string }) => h.ex)).toEqual(['shop', 'hub']);
    const bad = await curl(['-s', '-i', `${hub.url}events?pattern=orders.>.x`]);
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('INVALID_NAME');
  });

  it('resumes after Last-Event-ID with exactly the missed events', async () => {
    await using hub = await hubOf();
    let last: string;
    {
      await using stream = openStream(hub, EX.events);
      await stream.ready();
      await run(hub, EX.emit);
      last = (await stream.until((e) => e.event === 'orders.created')).id!;
    }
    // Sent while nobody streams: the pattern lingers and keeps them.
    for (const n of [1, 2, 3])
      await curl(['-s', '-X', 'POST', `${hub.url}messages/orders.n${n}`, '-d', String(n)]);
    await using again = openStream(hub, EX.resume, { LAST: last });
    const ready = await again.ready();
    expect(again.events.some((e) => e.event === '$gap')).toBe(false);
    expect(again.messages().map((m) => m.value)).toEqual([1, 2, 3]);
    expect(again.events.filter((e) => e.id).map((e) => Number(e.id) - Number(last))).toEqual([
      1, 2, 3, 3,
    ]);
    expect(Number(ready.id)).toBe(Number(last) + 3);
  });

  it('says $gap with how many were lost when the ring overran, then sends what it holds', async () => {
    await using hub = await hubWithApi({ ringSize: 2 });
    let last: string;
    {
      await using stream = openStream(hub, EX.events);
      last = (await stream.ready()).id!;
    }
    for (const n of [1, 2, 3, 4, 5]) hub.exchange.send(`orders.n${n}`, n);
    await using again = openStream(hub, EX.resume, { LAST: last });
    await again.ready();
    const gap = again.events.find((e) => e.event === '$gap')!;
    expect(JSON.parse(gap.data!)).toEqual({ pattern: 'orders.>', after: Number(last), lost: 3 });
    expect(again.messages().map((m) => m.value)).toEqual([4, 5]);
    expect(again.events.map((e) => e.event).filter(Boolean)).toEqual([
      '$gap',
      'orders.n4',
      'orders.n5',
      '$ready',
    ]);
  });

  it('says $gap with lost: null after the linger period, when the hub stopped observing', async () => {
    await using hub = await hubWithApi({ linger: 50 });
    let last: string;
    {
      await using stream = openStream(hub, EX.events);
      last = (await stream.ready()).id!;
    }
    await expect.poll(() => hub.api.events.stats.subscriptions, { timeout: 5000 }).toBe(0);
    hub.exchange.send('orders.unseen', 1); // nobody observes it any more
    await using again = openStream(hub, EX.resume, { LAST: last });
    const ready = await again.ready();
    const gap = again.events.find((e) => e.event === '$gap')!;
    expect(JSON.parse(gap.data!)).toEqual({ pattern: 'orders.>', after: Number(last), lost: null });
    expect(again.messages()).toEqual([]);
    // The pattern is observed anew, numbering above everything before.
    expect(Number(ready.id)).toBeGreaterThan(Number(last));
    hub.exchange.send('orders.seen', 2);
    await again.until((e) => e.event === 'orders.seen');
  });

  it('disconnects a client that does not read, once stalled over its buffer bound', async () => {
    await using hub = await hubWithApi({
      maxClientBuffer: 64 * 1024,
      stallTimeout: 200,
      heartbeat: 0,
    });
    // curl's stdout is a pipe nobody reads: once it fills, curl stops reading the socket.
    await using stuck = openStream(hub, EX.events, {}, false);
    await expect.poll(() => hub.api.events.stats.clients, { timeout: 5000 }).toBe(1);
    // Keep producing until the hub lets it go (a client level with the ring costs nothing more,
    // so only one that stays over its bound while messages keep coming is disconnected).
    const blob = 'x'.repeat(50_000);
    let stalled = false;
    for (const end = Date.now() + 10_000; hub.api.events.stats.clients > 0 && Date.now() < end;) {
      for (let i = 0; i < 5; i++) hub.exchange.send('orders.big', blob);
      stalled ||= hub.api.events.stats.stalled > 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stalled).toBe(true);
    expect(hub.api.events.stats.clients).toBe(0);
    // Let go by the hub: curl itself is still there, stuck writing to its pipe.
    expect(stuck.child.exitCode).toBeNull();
    // The pattern lingers for a resume; a reading client is served as before.
    expect(hub.api.events.stats.subscriptions).toBe(1);
    await using reader = openStream(hub, EX.events);
    await reader.ready();
  });

  it('a reading client gets a burst bigger than its buffer bound whole, from the ring', async () => {
    await using hub = await hubWithApi({
      maxClientBuffer: 64 * 1024,
      ringBytes: 64 << 20,
      heartbeat: 0,
    });
    await using stream = openStream(hub, EX.events);
    await stream.ready();
    const blob = 'x'.repeat(50_000);
    for (let i = 0; i < 200; i++) hub.exchange.send('orders.big', { i, blob });
    expect(hub.api.events.stats.stalled).toBe(1); // it fell behind at once
    await expect.poll(() => stream.messages().length, { timeout: 10_000 }).toBe(200);
    expect(stream.messages().map((m) => (m.value as { i: number }).i)).toEqual([
      ...Array(200).keys(),
    ]);
    expect(stream.events.some((e) => e.event === '$gap')).toBe(false);
    expect(hub.api.events.stats).toMatchObject({ clients: 1, stalled: 0 });
  });

  it('refuses more patterns than maxSubscriptions with 503 CONGESTED', async () => {
    await using hub = await hubWithApi({ maxSubscriptions: 1 });
    await using one = openStream(hub, EX.events);
    await one.ready();
    const two = await curl(['-s', '-i', `${hub.url}events?pattern=invoices.>`]);
    expect(two.status).toBe(503);
    expect(two.json.code).toBe('CONGESTED');
  });
});

// ---- the http transport ----------------------------------------------------------------------

describe("the 'http' transport", () => {
  it('an exchange joined by HTTP handles what a WebSocket client asks, and observes', async () => {
    await using hub = await hubOf();
    using worker = ex('worker');
    worker.handle('calc.add', (m) => {
      const { a, b } = m.value as { a: number; b: number };
      return a + b;
    });
    const news: unknown[] = [];
    worker.on('news.>', (m) => news.push(m.value));
    await worker.connect({ transport: 'http', url: hub.url });
    expect(hub.exchange.describe().peers).toContain('worker');

    using client = ex('client');
    await client.connect({ transport: 'websocket', url: hub.wsUrl });
    await client.reachable('calc.add', { timeout: 2000 });
    const reply = await client.requestMessage('calc.add', { a: 2, b: 3 });
    expect(reply.value).toBe(5);
    expect(reply.trace.map((h) => h.ex)).toEqual(['client', 'hub', 'worker', 'hub', 'client']);

    await client.reachable('news.today', { observer: true, timeout: 2000 });
    for (let i = 0; i < 100; i++) client.send('news.today', i);
    await expect.poll(() => news.length).toBe(100);
    expect(news).toEqual([...Array(100).keys()]);

    // curl reaches it too, and a burst the other way comes back in order.
    const a = await curl([
      '-s',
      '-i',
      '-X',
      'POST',
      `${hub.url}requests/calc.add`,
      '-d',
      '{"a":20,"b":22}',
    ]);
    expect([a.status, a.json, a.headers['x-exchange-from']]).toEqual([200, 42, 'worker']);
    const sums = await Promise.all(
      [...Array(200).keys()].map((i) => client.request('calc.add', { a: i, b: 1 })),
    );
    expect(sums).toEqual([...Array(200).keys()].map((i) => i + 1));

    worker.close();
    await expect.poll(() => hub.exchange.describe().peers).toEqual(['client']);
  });

  it('a lost session is replaced: the peer comes back and is served again', async () => {
    await using hub = await hubWithLinks({});
    using worker = ex('worker2');
    worker.handle('echo', (m) => m.value);
    await worker.connect({
      transport: 'http',
      url: hub.url,
      reconnect: { initialDelay: 20, maxDelay: 100 },
    });
    expect(await hub.exchange.request('echo', 'one')).toBe('one');
    expect(hub.links.sessions).toBe(1);
    hub.links.close(); // the hub drops every session
    await expect
      .poll(() => hub.exchange.request('echo', 'two').catch((e: Error) => e.message), {
        timeout: 5000,
      })
      .toBe('two');
    expect(hub.links.sessions).toBe(1);
  });

  it('sessions: 201 with an id, 404 TRANSPORT_CLOSED for an unknown one, 503 beyond the bound', async () => {
    await using hub = await hubWithLinks({ maxSessions: 1, idleTimeout: 1000 });
    const a = await run(hub, EX.link);
    expect(a.status).toBe(201);
    expect(a.json).toEqual({ session: expect.stringMatching(/^[\w-]{22}$/), maxBytes: 1_048_576 });
    const b = await run(hub, EX.link);
    expect([b.status, b.json.code]).toEqual([503, 'CONGESTED']);
    // No stream came within idleTimeout: the session is dropped.
    await expect.poll(() => hub.links.sessions, { timeout: 5000 }).toBe(0);
    const c = await curl([
      '-s',
      '-i',
      '-X',
      'POST',
      `${hub.url}link/${a.json.session}`,
      '-d',
      '[]',
    ]);
    expect([c.status, c.json.code]).toEqual([404, 'TRANSPORT_CLOSED']);
  });

  it('fails to connect with TRANSPORT_CLOSED when nothing (or no hub) is there', async () => {
    await using hub = await hubOf();
    using lonely = ex('lonely');
    await expect(
      lonely.connect({ transport: 'http', url: 'http://127.0.0.1:1/', connectTimeout: 2000 }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await expect(
      lonely.connect({ transport: 'http', url: `${hub.url}nothing/`, connectTimeout: 2000 }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED', message: expect.stringMatching(/404/) });
  });
});
