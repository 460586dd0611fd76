// The `exchange` executable end to end: a hub started as `exchange serve --port 0`, and every
// client command run as a real child process of the built CLI (dist/cli/main.js), checked by its
// output and its exit code. An in-process exchange (`probe`) on the same hub handles and observes
// what the commands ask and send, and waits for routes instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, type Envelope, type Exchange, type Peer } from '../../src/index.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const COMMANDS = ['send', 'request', 'observe', 'handle', 'peers', 'routes', 'log', 'bench'];
/**
 * Longest any one child may run before it is killed (and its test fails): generous, as node
 * starts slowly on a loaded 2-core machine; each test gets a little more.
 */
const RUN_LIMIT = 40_000;
const TEST_LIMIT = 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  done: Promise<Result>;
  /** Resolves once stderr matches `re` (bounded: rejects after RUN_LIMIT). */
  stderrMatch(re: RegExp): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();
let url = '';

/** A clean environment: no colour, no EXCHANGE_* settings from the shell, this hub's URL. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('EXCHANGE_') && k !== 'FORCE_COLOR') env[k] = v;
  return url ? { ...env, EXCHANGE_URL: url } : env;
}

/** Start the CLI; it is killed after `limit` ms (the hub, with Infinity: by afterAll). */
function start(args: string[], limit = RUN_LIMIT, env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...childEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const w of waiters) w();
  });
  const timer = Number.isFinite(limit) ? setTimeout(() => child.kill('SIGKILL'), limit) : undefined;
  const done = new Promise<Result>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      for (const w of waiters) w();
      resolve({ code, stdout, stderr });
    }),
  );
  const stderrMatch = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(stderr);
        if (m) return finish(() => resolve(m));
        if (child.exitCode !== null || child.signalCode !== null)
          finish(() => reject(new Error(`exited before stderr matched ${re}:\n${stderr}`)));
      };
      const giveUp = setTimeout(
        () => finish(() => reject(new Error(`stderr never matched ${re}:\n${stderr}`))),
        RUN_LIMIT,
      );
      const finish = (then: () => void) => {
        clearTimeout(giveUp);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  return { child, done, stderrMatch };
}

/** Run the CLI to completion (killed after RUN_LIMIT). */
function cli(...args: string[]): Promise<Result> {
  return start(args).done;
}

/** Settle with `promise`, or fail after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let hubProcess: Running;
let probe: Exchange;
let hub: Peer;
const sent: Envelope[] = [];
let sentArrived: () => void = () => {};

beforeAll(async () => {
  const missing = ['cli/main.js', ...COMMANDS.map((c) => `cli/commands/${c}.js`)].filter(
    (f) => !existsSync(fileURLToPath(new URL(`../../dist/${f}`, import.meta.url))),
  );
  if (missing.length > 0)
    throw new Error(
      `packages/exchange/dist is missing ${missing.join(', ')}: these tests run the built ` +
        'executable, so run `npm run build` first (`npm test` does).',
    );
  // A 1 MiB log: values over 64 KiB (a sixteenth) are not logged, and a test sends one.
  hubProcess = start(['serve', '--port', '0', '--no-demo', '--log-level', 'warn'], Infinity, {
    EXCHANGE_LOG_MAX_BYTES: String(1 << 20),
  });
  url = (await hubProcess.stderrMatch(/ws:\/\/\S+\/ws/))[0];

  probe = exchange({
    id: 'probe',
    handlers: {
      'cli.echo': (msg) => ({ echo: msg.value }),
      // Never answers: the requester times out.
      'cli.slow': () => new Promise(() => {}),
    },
  });
  probe.on('cli.sent', (msg) => {
    sent.push(msg);
    sentArrived();
  });
  hub = await probe.connect({ transport: 'websocket', url, reconnect: false });
  // The hub learned the probe's handlers from its hello, which came before this request.
  await hub.request('$exchange.info');
}, 60_000);

afterAll(async () => {
  probe?.close();
  const exits = [...running].map((c) => new Promise((resolve) => c.once('close', resolve)));
  for (const child of running) child.kill('SIGKILL');
  await within(Promise.all(exits), 10_000, 'children exiting');
}, 20_000);

describe('exchange CLI', { timeout: TEST_LIMIT }, () => {
  it('--help for every command, with the shared options and exit code 0', async () => {
    const results = await Promise.all(COMMANDS.map((c) => cli(c, '--help')));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Usage: exchange ${COMMANDS[i]}`);
      expect(r.stdout).toContain('--url <url>');
      expect(r.stdout).toContain('Examples:');
    });
  });

  it('request prints the reply as JSON and exits 0; --trace prints its path', async () => {
    const r = await cli('request', 'cli.echo', '{"a":1}', '--trace');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echo: { a: 1 } });
    expect(r.stderr).toMatch(/trace: cli-\w+ → hub \+\d+ms → probe \+\d+ms → hub/);
  });

  it('request of a name nobody handles exits 3 with NO_ROUTE', async () => {
    const r = await cli('request', 'cli.nobody');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("exchange request: NO_ROUTE: no route for 'cli.nobody'");
  });

  it('request past its --timeout exits 4 with TIMEOUT', async () => {
    const r = await cli('request', 'cli.slow', '--timeout', '100');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('TIMEOUT');
  });

  it('bad input exits 2: bad JSON, a bad name, --reply and --exec both or neither', async () => {
    const [badJson, badReply, badName, both, neither] = await Promise.all([
      cli('send', 'cli.sent', '{oops'),
      cli('handle', 'cli.x', '--reply', 'nope'),
      cli('request', 'cli..x'),
      cli('handle', 'cli.x', '--reply', '1', '--exec', 'cat'),
      cli('handle', 'cli.x'),
    ]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('BAD_JSON: the value is not valid JSON');
    expect(badReply.code).toBe(2);
    expect(badReply.stderr).toContain('--reply is not valid JSON');
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('INVALID_NAME');
    expect(both.code).toBe(2);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('exactly one of --reply <json> and --exec <command>');
  });

  it('a hub that is not there exits 6', async () => {
    const r = await cli('request', 'cli.echo', '--url', `ws://127.0.0.1:${await freePort()}/ws`);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('TRANSPORT_CLOSED: cannot connect');
  });

  it('send reaches an observer, with its value and headers', async () => {
    const arrived = new Promise<void>((resolve) => (sentArrived = resolve));
    const r = await cli('send', 'cli.sent', '{"n":1}', '--header', 'k=v');
    expect(r.code, r.stderr).toBe(0);
    await within(arrived, 5000, 'the sent message');
    expect(sent[0]).toMatchObject({ name: 'cli.sent', value: { n: 1 }, headers: { k: 'v' } });
    expect(sent[0].trace.map((h) => h.ex)).toEqual([sent[0].from, 'hub', 'probe']);
  });

  it('observe --count 2 --json prints two envelopes, one per line, and exits 0', async () => {
    const obs = start(['observe', 'cli.obs.*', '--count', '2', '--json']);
    await probe.reachable('cli.obs.x', { observer: true, timeout: RUN_LIMIT });
    probe.send('cli.obs.a', { i: 1 });
    probe.send('cli.obs.b', 'two');
    const r = await obs.done;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Envelope);
    expect(lines.map((e) => [e.name, e.value, e.from])).toEqual([
      ['cli.obs.a', { i: 1 }, 'probe'],
      ['cli.obs.b', 'two', 'probe'],
    ]);
  });

  it('handle --reply answers a request (and stops after --count)', async () => {
    const handler = start(['handle', 'cli.fixed', '--reply', '{"ok":true}', '--count', '1']);
    await probe.reachable('cli.fixed', { timeout: RUN_LIMIT });
    const r = await cli('request', 'cli.fixed', '"hi"');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true });
    expect((await handler.done).code).toBe(0);
  });

  it('handle --exec replies the command output; a failing command is a remote error (exit 5)', async () => {
    const upper = start(['handle', 'cli.upper', '--exec', 'tr a-z A-Z']);
    const failing = start(['handle', 'cli.fails', '--exec', 'echo broken >&2; exit 3']);
    await probe.reachable('cli.upper', { timeout: RUN_LIMIT });
    await probe.reachable('cli.fails', { timeout: RUN_LIMIT });
    const [ok, bad] = await Promise.all([
      cli('request', 'cli.upper', '{"text":"shout"}'),
      cli('request', 'cli.fails', '1'),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ TEXT: 'SHOUT' });
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('REMOTE (INTERNAL)');
    expect(bad.stderr).toContain('exited with code 3: broken');
    expect(bad.stderr).toContain('"exitCode":3');
    // Ctrl+C ends a handler cleanly.
    upper.child.kill('SIGINT');
    failing.child.kill('SIGINT');
    expect((await upper.done).code).toBe(0);
    expect((await failing.done).code).toBe(0);
  });

  it("peers and routes show the hub's peers and what they handle, as tables or JSON", async () => {
    const [peers, peersJson, routes, routesJson] = await Promise.all([
      cli('peers'),
      cli('peers', '--json'),
      cli('routes'),
      cli('routes', '--json'),
    ]);
    for (const r of [peers, peersJson, routes, routesJson]) expect(r.code, r.stderr).toBe(0);
    expect(peers.stdout).toMatch(/^PEER\s+HANDLES\s+OBSERVES/);
    expect(peers.stdout).toMatch(/probe\s+cli\.echo cli\.slow\s+cli\.sent/);
    const listed = JSON.parse(peersJson.stdout) as { hub: string; peers: { id: string }[] };
    expect(listed.hub).toBe('hub');
    expect(listed.peers.map((p) => p.id)).toContain('probe');
    expect(routes.stdout).toMatch(/handle\s+cli\.echo\s+probe \(1\)/);
    expect(routes.stdout).toMatch(/exchange\s+hub\s+hub \(here\)/);
    expect(JSON.parse(routesJson.stdout)).toContainEqual({
      kind: 'observe',
      pattern: 'cli.sent',
      local: false,
      via: { probe: 1 },
    });
  });

  it("log prints the hub's recent messages, filtered by pattern", async () => {
    expect((await cli('request', 'cli.echo', '"for the log"')).code).toBe(0);
    const [table, json] = await Promise.all([
      cli('log', '--pattern', 'cli.echo', '--limit', '50'),
      cli('log', '--pattern', 'cli.echo', '--json'),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^TIME\s+DIR\s+PEER\s+KIND\s+NAME/);
    expect(table.stdout).toMatch(/in\s+cli-\w+\s+req\s+cli\.echo\s+cli-\w+ → \*\s+"for the log"/);
    expect(json.code, json.stderr).toBe(0);
    const entries = JSON.parse(json.stdout) as { direction: string; envelope: Envelope }[];
    expect(entries.every((e) => e.envelope.name === 'cli.echo')).toBe(true);
    expect(entries.map((e) => e.envelope.value)).toContain('for the log');
  });

  it('log marks a value too large for the hub to keep', async () => {
    // 70,000 characters: over the 64 KiB this hub's log keeps of one value.
    const big = JSON.stringify('x'.repeat(70_000));
    expect((await cli('request', 'cli.echo', big)).code).toBe(0);
    const [table, json] = await Promise.all([
      cli('log', '--pattern', 'cli.echo', '--limit', '4'),
      cli('log', '--pattern', 'cli.echo', '--limit', '4', '--json'),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /in\s+cli-\w+\s+req\s+cli\.echo\s+cli-\w+ → \*\s+\[value not logged: ≥ 68\.4 KiB\]/,
    );
    expect(json.code, json.stderr).toBe(0);
    const entries = JSON.parse(json.stdout) as { envelope: Envelope; valueOmitted?: number }[];
    expect(entries).toHaveLength(4); // the request in and out, the reply in and out
    for (const e of entries) {
      expect(e.envelope.value).toBeUndefined();
      expect(e.valueOmitted).toBeGreaterThanOrEqual(70_000);
    }
  });

  it('$exchange.log checks its filters and leaves out system messages on request', async () => {
    await expect(hub.request('$exchange.log', { limit: 0 })).rejects.toMatchObject({
      code: 'REMOTE',
      remoteCode: 'BAD_MESSAGE',
    });
    await expect(hub.request('$exchange.log', { pattern: 'a..b' })).rejects.toMatchObject({
      remoteCode: 'INVALID_NAME',
    });
    const all = await hub.request<{ envelope: Envelope }[]>('$exchange.log', { limit: 1000 });
    const user = await hub.request<{ envelope: Envelope }[]>('$exchange.log', {
      limit: 1000,
      system: false,
    });
    expect(all.some((e) => e.envelope.name.startsWith('$exchange.'))).toBe(true);
    expect(user.length).toBeGreaterThan(0);
    expect(user.some((e) => e.envelope.name.startsWith('$exchange.'))).toBe(false);
  });

  it('bench runs both scenarios with small counts and prints rates and percentiles', async () => {
    const r = await cli('bench', '--messages', '200', '--size', '16', '--concurrency', '8');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(
      /^SCENARIO\s+MESSAGES\s+SECONDS\s+MSG\/S\s+MB\/S\s+P50 MS\s+P90 MS\s+P99 MS\s+MAX MS\s+LOST$/,
    );
    for (const [i, scenario] of ['pubsub', 'request'].entries())
      expect(lines[2 + i]).toMatch(
        new RegExp(`^${scenario}\\s+200\\s+[\\d.]+\\s+[\\d,]+(\\s+[\\d.]+){5}\\s+0$`),
      );
    // stderr is not a terminal here: no progress line.
    expect(r.stderr).toBe('');
  });
});
