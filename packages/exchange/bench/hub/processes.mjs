// The child processes of the hub benchmark: hubs and client roles. Each is tracked from the moment
// it starts, every wait on one is bounded, and whatever is still running when the runner exits (or
// is interrupted) is killed, so a run never leaves processes behind. The soak (scripts/soak/lib.mjs)
// starts its processes with the same helpers.
import { execFileSync, fork, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { withTimeout } from './wait.mjs';

const live = new Set();
let cleanupInstalled = false;

/** SIGKILL every child started here (`track`) that is still running. */
export function killAll() {
  for (const child of live) child.kill('SIGKILL');
}

/** Kill every child still running when this process exits or gets SIGINT/SIGTERM (once). */
export function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Keep `child` in the set `killAll` kills until it exits; installs the cleanup on first use. */
export function track(child) {
  installCleanup();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Whether `child` has exited (by itself or by a signal). */
export const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child) {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child, graceMs = 3000) {
  if (hasExited(child)) return;
  child.kill('SIGTERM');
  try {
    await withTimeout(exited(child), graceMs, `stopping pid ${child.pid}`);
  } catch {
    child.kill('SIGKILL');
    await withTimeout(exited(child), graceMs, `killing pid ${child.pid}`).catch(() => {});
  }
}

/**
 * A forked Node process that talks over IPC: `{ type, … }` messages both ways. Messages are queued
 * until someone asks for them with `next(type)`; `{ type: 'progress' }` only updates `progress`;
 * `{ type: 'error', message }` fails every wait.
 */
export class Child {
  #queue = [];
  #waiters = [];
  #failure = null;
  progress = null;

  constructor(child, label) {
    this.process = child;
    this.label = label;
    child.on('message', (message) => this.#receive(message));
    child.once('error', (error) => this.#fail(`${label}: ${error.message}`));
    child.once('exit', (code, signal) =>
      this.#fail(`${label} exited (${signal ?? `code ${code}`}) before answering`),
    );
  }

  get pid() {
    return this.process.pid;
  }

  send(message) {
    if (this.process.connected) this.process.send(message);
  }

  /** The next message of `type`, within `ms`. */
  next(type, ms) {
    const index = this.#queue.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0]);
    if (this.#failure) return Promise.reject(new Error(this.#failure));
    const waiter = {};
    const answer = new Promise((resolve, reject) =>
      Object.assign(waiter, { type, resolve, reject }),
    );
    this.#waiters.push(waiter);
    return withTimeout(answer, ms, `${this.label}: waiting for '${type}'`).finally(() => {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    });
  }

  async stop() {
    this.send({ type: 'close' });
    try {
      await withTimeout(exited(this.process), 3000, `${this.label}: closing`);
    } catch {
      await stopChild(this.process);
    }
  }

  #receive(message) {
    if (message.type === 'progress') this.progress = message;
    else if (message.type === 'error') this.#fail(`${this.label}: ${message.message}`);
    else {
      const waiter = this.#waiters.find((w) => w.type === message.type);
      if (waiter) waiter.resolve(message);
      else this.#queue.push(message);
    }
  }

  #fail(reason) {
    this.#failure ??= reason;
    for (const waiter of this.#waiters) waiter.reject(new Error(this.#failure));
  }
}

/** Fork a Node script with IPC; its stdout and stderr go to our stderr (our stdout is the table). */
export function forkNode(script, args, label) {
  const child = fork(fileURLToPath(script), args, {
    stdio: ['ignore', 2, 2, 'ipc'],
    execArgv: [],
  });
  return new Child(track(child), label);
}

const CLIENT = new URL('client.mjs', import.meta.url);

/** A client process running one role (see roles.mjs) against one system's hub. */
export function forkClient(config) {
  return forkNode(CLIENT, [JSON.stringify(config)], `${config.system} ${config.role}`);
}

/** Start a Node hub script that answers `{ type: 'listening', port }` over IPC. */
export async function startNodeHub(script, label, timeoutMs) {
  const hub = forkNode(script, [], label);
  try {
    const { port } = await hub.next('listening', timeoutMs);
    return { port, pid: hub.pid, stop: () => stopChild(hub.process) };
  } catch (error) {
    await stopChild(hub.process);
    throw error;
  }
}

/** Spawn an executable that is not Node (nats-server); tracked like the others. */
export function spawnTracked(command, args, options) {
  return track(spawn(command, args, options));
}

/** A port that was free on 127.0.0.1 a moment ago (for servers that cannot take port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether an executable called `name` is on PATH. */
export function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (Linux). */
export function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

let ticksPerSecond;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
