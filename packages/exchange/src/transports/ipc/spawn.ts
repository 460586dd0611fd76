import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CreditCarrier } from './credit-carrier.js';
import { DEFAULT_WINDOW, IpcLink, linkInit, opened, type IpcLinkOptions } from './ipc-link.js';
import { childPort, workerPort } from './ports.js';

/** Options of `ex.connect({ transport: 'ipc', script, … })` in the parent. */
export interface IpcSpawnOptions extends IpcLinkOptions {
  /** The script to run (a path relative to the working directory, or a `file:` URL). */
  script: string | URL;
  /** Run it in a worker thread instead of a child process. @default false */
  worker?: boolean;
  /** Arguments, after the script in its `process.argv`. @default [] */
  args?: string[];
  /** Variables added to this process's environment for it. */
  env?: Record<string, string | undefined>;
  /** Node options for it (`--import tsx`, …). @default this process's `execArgv` */
  execArgv?: string[];
  /**
   * After the link closes, how long the child or worker may take to exit on its own before it
   * is stopped (SIGTERM, or `terminate()` for a worker). @default 5000
   */
  exitTimeout?: number;
  parent?: never;
}

/**
 * Start `script` as a child process (`child_process.fork`) or worker thread and link to it once
 * it calls `ex.connect({ transport: 'ipc', parent: true })`. The link closes the moment the
 * child exits or is killed (so the exchange fails over its requests at once); the child is
 * stopped if it outlives the link by `exitTimeout`.
 * @param options - what to start, and the link's options.
 * @returns the link, whose `child` is the process or worker.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if it exits or does not connect within `connectTimeout`.
 */
export async function spawnChild(options: IpcSpawnOptions): Promise<IpcLink> {
  const child = options.worker ? startWorker(options) : startProcess(options);
  const exited = exitedFlag(child);
  const port = child instanceof Worker ? workerPort(child) : childPort(child);
  // Both sides can post bytes: workers clone them, and the child process uses the 'advanced'
  // (structured clone) serialization.
  const carrier = new CreditCarrier(port, {
    window: options.window ?? DEFAULT_WINDOW,
    binary: true,
    answer: true,
  });
  const what = `${options.worker ? 'worker' : 'child process'} ${String(options.script)}`;
  try {
    await opened(carrier, options, what);
  } catch (e) {
    stop(child, exited);
    throw e;
  }
  const exitTimeout = options.exitTimeout ?? 5000;
  const reap = () => {
    if (exited() || !Number.isFinite(exitTimeout)) return;
    setTimeout(() => stop(child, exited), exitTimeout).unref();
  };
  const link = new IpcLink(linkInit('acceptor', options, reap), carrier, child);
  link.use(carrier);
  return link;
}

function startProcess(options: IpcSpawnOptions): ChildProcess {
  const script = options.script instanceof URL ? fileURLToPath(options.script) : options.script;
  return fork(script, options.args ?? [], {
    serialization: 'advanced',
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
}

function startWorker(options: IpcSpawnOptions): Worker {
  return new Worker(options.script, {
    argv: options.args ?? [],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
}

/** A function telling whether the child has exited. */
function exitedFlag(child: ChildProcess | Worker): () => boolean {
  let exited = false;
  child.once('exit', () => (exited = true));
  return () => exited;
}

function stop(child: ChildProcess | Worker, exited: () => boolean): void {
  if (exited()) return;
  if (child instanceof Worker) void child.terminate();
  else child.kill('SIGTERM');
}
