/**
 * What the client commands (send, request, observe, handle, peers, routes, log, bench) share:
 * the `--url` and `--id` options, connecting to the hub, reading JSON arguments, and running an
 * action so that a failure prints its error code and sets the documented exit code (exit.ts).
 */
import { randomBytes } from 'node:crypto';
import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander';
import { exchange, type Exchange, type Peer } from '../index.js';
import { DEFAULT_PORT } from '../hub/config.js';
import { exitCodeOf } from './exit.js';
import { formatError } from './format.js';

/** Where the client commands look for a hub unless told otherwise (`--url`, `EXCHANGE_URL`). */
export const DEFAULT_URL = `ws://127.0.0.1:${DEFAULT_PORT}/ws`;
/** How long a command waits for the hub to answer the connection. */
export const CONNECT_TIMEOUT = 5000;

/** The flags every client command has. */
export interface ClientFlags {
  url: string;
  id?: string;
}

/** A usage or input problem found after parsing (e.g. JSON read from stdin): exit code 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: 'BAD_JSON',
    message: string,
  ) {
    super(message);
  }
}

/** Add `--url` and `--id` to a command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--url <url>', "the hub's WebSocket URL")
        .env('EXCHANGE_URL')
        .default(DEFAULT_URL)
        .argParser(parseUrl),
    )
    .addOption(
      new Option('--id <id>', "this client's exchange id (default cli-<random>)").argParser(
        parseId,
      ),
    );
}

/** A connected client: its exchange and the hub it talks to. */
export interface Client {
  readonly ex: Exchange;
  /** The hub this client dialled (its id is the hub's own). */
  readonly hub: Peer;
  /** Wait until the hub has taken everything sent so far (a round trip on the same link). */
  settle(timeout?: number): Promise<void>;
  close(): void;
}

/**
 * Connect a fresh exchange to the hub at `flags.url`.
 * @param options - `reconnect`: keep the connection across hub restarts (long-running
 *   commands); one-shot commands fail instead. `id`: replaces `flags.id` (bench's two clients).
 * @throws {ExchangeError} `TRANSPORT_CLOSED` (exit 6) if the hub cannot be reached.
 */
export async function connectClient(
  flags: ClientFlags,
  options: { reconnect?: boolean; id?: string } = {},
): Promise<Client> {
  const ex = exchange({ id: options.id ?? flags.id ?? randomId() });
  let hub: Peer;
  try {
    hub = await ex.connect({
      transport: 'websocket',
      url: flags.url,
      reconnect: options.reconnect ?? false,
      connectTimeout: CONNECT_TIMEOUT,
    });
  } catch (e) {
    ex.close();
    throw e;
  }
  return {
    ex,
    hub,
    settle: async (timeout = CONNECT_TIMEOUT) => {
      await hub.request('$exchange.info', undefined, { timeout });
    },
    close: () => ex.close(),
  };
}

/**
 * Wrap a command's action: an error is printed as `exchange <command>: CODE: message` and sets
 * `process.exitCode` from its code; commander's own errors (usage) go on to main.ts.
 */
export function action<A extends unknown[]>(
  command: string,
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof CommanderError) throw e;
      process.stderr.write(`exchange ${command}: ${formatError(e)}\n`);
      process.exitCode = exitCodeOf(e);
    }
  };
}

/**
 * A JSON argument: `undefined` stays undefined (no value), `-` reads stdin.
 * @param what - what the text is, for the error message.
 * @throws {CliError} `BAD_JSON` (exit 2) if it does not parse.
 */
export async function readJson(text: string | undefined, what = 'the value'): Promise<unknown> {
  if (text === undefined) return undefined;
  if (text === '-') return parseJson(await readStdin(), `${what} on stdin`);
  return parseJson(text, what);
}

/** @throws {CliError} `BAD_JSON` */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(
      'BAD_JSON',
      `${what} is not valid JSON (${(e as Error).message}): strings need JSON quotes, e.g. '"hello"'`,
    );
  }
}

/** Commander parser for repeatable `--header k=v`. */
export function collectHeader(
  text: string,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...headers, [text.slice(0, eq)]: text.slice(eq + 1) };
}

/** Commander parser for counts and milliseconds. */
export function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Commander parser for durations: `30s`, `5m`, `2h`, `500ms`, or a number of seconds; in ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|[smh])?$/.exec(text.trim());
  if (!m || Number(m[1]) === 0)
    throw new InvalidArgumentError('expected a duration such as 30s, 5m, 2h or 500ms');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

/**
 * Run until SIGINT or SIGTERM (Ctrl+C) or `stop()`: `signal` is aborted by any of them;
 * `dispose()` removes the signal listeners again.
 */
export function untilInterrupted(): {
  signal: AbortSignal;
  stop: () => void;
  dispose: () => void;
} {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    stop,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`expected a ws:// or wss:// URL, e.g. ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new InvalidArgumentError(`expected a ws:// or wss:// URL, e.g. ${DEFAULT_URL}`);
  return text;
}

function parseId(text: string): string {
  if (!/^[\w-]{1,64}$/.test(text))
    throw new InvalidArgumentError("expected 1-64 letters, digits, '_' or '-'");
  return text;
}

function randomId(): string {
  return `cli-${randomBytes(4).toString('hex')}`;
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}
