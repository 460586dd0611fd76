// What every reliability scenario shares: where the built library is, child processes that are
// always reaped, the hub as a real `exchange serve` process, /proc readings and bounded waits.
// Used by scripts/soak.mjs (the soak) and, through it, by test/reliability (the CI version).
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Process helpers shared with the hub benchmark: one copy, in bench/hub/.
import {
  exited,
  freePort,
  hasExited as gone,
  killAll,
  stopChild as stop,
  track,
} from '../../bench/hub/processes.mjs';
import { withTimeout as within } from '../../bench/hub/wait.mjs';

export { exited, freePort, killAll, within };

/** The built package (`npm run build`); EXCHANGE_DIST points elsewhere (a private build). */
export const DIST = process.env.EXCHANGE_DIST
  ? pathToFileURL(process.env.EXCHANGE_DIST.replace(/\/?$/, '/'))
  : new URL('../../dist/', import.meta.url);
export const CLI = fileURLToPath(new URL('cli/main.js', DIST));
const ROLE = fileURLToPath(new URL('role.mjs', import.meta.url));
const GC_PRELOAD = new URL('gc-preload.mjs', import.meta.url).href;

/** Throws a clear message when the package is not built. */
export function requireBuild() {
  if (!existsSync(CLI) || !existsSync(fileURLToPath(new URL('index.js', DIST))))
    throw new Error(`the package is not built (${fileURLToPath(DIST)}): run npm run build first`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.timeOrigin + performance.now();

/** Poll `test` every `every` ms until it returns a truthy value; throws after `timeout` ms. */
export async function waitFor(test, { timeout = 10_000, every = 20, what = 'a condition' } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await test();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

// ---- /proc ---------------------------------------------------------------------------------

/** Resident set size of a process, in MiB (NaN once it is gone). */
export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** Open file descriptors of a process. */
export function fdCount(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** This process's soft limit on open files (children inherit it). */
export function fdLimit() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = /Max open files\s+(\S+)/.exec(limits)?.[1];
  return soft === 'unlimited' ? Infinity : Number(soft);
}

// ---- child processes -----------------------------------------------------------------------

/**
 * A role process (role.mjs): `call(command, args)` sends `{ id, command, args }` and resolves
 * with its `{ id, result }` answer (or rejects with its `{ id, error }`); messages without an id
 * are events, handed to `on(type, fn)` listeners.
 */
export class Role {
  #next = 0;
  #calls = new Map();
  #listeners = new Map();

  constructor(child, name) {
    this.child = child;
    this.name = name;
    child.on('message', (m) => this.#receive(m));
    child.once('exit', (code, signal) => {
      for (const { reject } of this.#calls.values())
        reject(new Error(`role ${name} exited (${signal ?? `code ${code}`}) before answering`));
      this.#calls.clear();
    });
  }

  get pid() {
    return this.child.pid;
  }

  /** Ask the role to do something; rejects after `timeout` ms. */
  call(command, args = {}, timeout = 60_000) {
    if (gone(this.child)) return Promise.reject(new Error(`role ${this.name} is not running`));
    const id = ++this.#next;
    const answer = new Promise((resolve, reject) => this.#calls.set(id, { resolve, reject }));
    this.child.send({ id, command, args });
    return within(answer, timeout, `${this.name}.${command}`).finally(() => this.#calls.delete(id));
  }

  /** Listen to the role's events of one type. */
  on(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type).delete(fn);
  }

  /** The next event of `type` matching `test`, within `timeout` ms. */
  next(type, test = () => true, timeout = 10_000) {
    let off;
    const event = new Promise((resolve) => {
      off = this.on(type, (e) => test(e) && resolve(e));
    });
    return within(event, timeout, `${this.name} event ${type}`).finally(() => off());
  }

  #receive(m) {
    if (m.id !== undefined) {
      const call = this.#calls.get(m.id);
      if (!call) return;
      if (m.error !== undefined) call.reject(new Error(`${this.name}: ${m.error}`));
      else call.resolve(m.result);
      return;
    }
    for (const fn of this.#listeners.get(m.type) ?? []) fn(m);
  }

  stop() {
    return stop(this.child);
  }
}

/** Start a role process (`role.mjs <name>`) and wait for it to say it is ready. */
export async function startRole(name, { execArgv = [], env = {} } = {}) {
  const child = track(
    fork(ROLE, [name], {
      execArgv,
      serialization: 'advanced',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const role = new Role(child, name);
  await role.next('ready', () => true, 30_000);
  return role;
}

// ---- the hub -------------------------------------------------------------------------------

/**
 * `exchange serve --port <port> --no-demo` as its own process. With `gc`, it runs with
 * `--expose-gc` and a preload that answers SIGUSR2 with a full GC and a memory reading, so
 * memory can be compared after garbage is collected rather than whenever V8 gets to it.
 */
export async function startHub({ port = 0, gc = false, id = 'hub' } = {}) {
  const execArgv = gc ? ['--expose-gc', '--import', GC_PRELOAD] : [];
  const args = ['serve', '--port', String(port), '--no-demo', '--log-level', 'warn', '--id', id];
  const child = track(
    spawn(process.execPath, [...execArgv, CLI, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...cleanEnv(), NO_COLOR: '1' },
    }),
  );
  let stderr = '';
  const gcWaiters = [];
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
    for (let m; (m = /SOAK_GC (\{.*\})\n/.exec(stderr));) {
      stderr = stderr.slice(m.index + m[0].length);
      gcWaiters.shift()?.(JSON.parse(m[1]));
    }
  });
  const url = await within(
    new Promise((resolve, reject) => {
      const check = () => {
        const m = /websocket\s+(ws:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]);
      };
      child.stderr.on('data', check);
      child.once('exit', (code) => reject(new Error(`hub exited (${code}) at start:\n${stderr}`)));
    }),
    30_000,
    'hub start',
  );
  const actualPort = Number(/:(\d+)\//.exec(url)[1]);
  return {
    child,
    pid: child.pid,
    port: actualPort,
    wsUrl: url,
    httpUrl: `http://127.0.0.1:${actualPort}/`,
    readyAt: now(),
    rss: () => rssMiB(child.pid),
    fds: () => fdCount(child.pid),
    /** A full GC in the hub, then its memory: `{ rss, heapUsed, external }` in MiB. */
    gc: () => {
      if (!gc) throw new Error('this hub was started without gc: true');
      const reading = new Promise((resolve) => gcWaiters.push(resolve));
      child.kill('SIGUSR2');
      return within(reading, 60_000, 'hub gc');
    },
    /** The hub's `describe()` (its /info route). */
    info: async () => (await fetch(`http://127.0.0.1:${actualPort}/info`)).json(),
    kill: async (signal = 'SIGKILL') => {
      child.kill(signal);
      await within(exited(child), 10_000, `hub pid ${child.pid} exit`);
    },
    stop: () => stop(child),
  };
}

/** The environment without EXCHANGE_* settings from the shell (they would override flags). */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EXCHANGE_')) env[k] = v;
  return env;
}

// ---- figures -------------------------------------------------------------------------------

/** p50, p90, p99 and max of a list of numbers (NaN for an empty list). */
export function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/**
 * One line of a scenario's result: a figure, its value and unit, and the target it is held to
 * (`ok` true/false), or none (`ok` null: a figure reported for information).
 */
export function figure(name, value, unit, target, ok = null) {
  return { name, value, unit, target: target ?? '', ok };
}
