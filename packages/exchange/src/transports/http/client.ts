/**
 * The HTTP transport's client: an exchange joins a hub through plain HTTP requests, where a
 * WebSocket cannot go (a proxy that passes only HTTP, a serverless runtime). It uses `fetch`
 * and nothing of Node, so it can run in browsers too.
 *
 * Each connection is a session on the hub (`POST /link`): the hub's transport messages come as
 * Server-Sent Events (`GET /link/{id}`), this side's go as POSTs (`POST /link/{id}`). A lost
 * session is replaced by a new one, as a WebSocket client reconnects: the framed link keeps
 * the frames queued meanwhile and says hello again. See docs/http.md.
 */
import { ExchangeError, type Link, type Transport } from '../../exchange/index.js';
import { FramedLink } from '../../transport/index.js';
import { fetchCarrier } from './fetch-carrier.js';

/** How a client waits between reconnection attempts: exponential backoff with jitter. */
export interface HttpReconnectPolicy {
  /** First wait, in ms. @default 100 */
  initialDelay?: number;
  /** Longest wait, in ms. @default 5000 */
  maxDelay?: number;
  /** Growth per failed attempt. @default 2 */
  factor?: number;
  /** Fraction of each wait taken off at random, 0 to 1 (spreads a crowd's retries). @default 0.5 */
  jitter?: number;
}

/** Options of an HTTP client (`ex.connect({ transport: 'http', url, … })`). */
export interface HttpConnectOptions {
  /** The hub's base URL, e.g. `http://127.0.0.1:4860/`; its `link` endpoints are used. */
  url: string;
  /** Heartbeat interval to propose, in ms (0: none). @default 15000 */
  heartbeat?: number;
  /** Largest message accepted from the hub, in bytes. @default 1 MiB */
  maxBytes?: number;
  /**
   * Frames held for the hub, also while reconnecting (flushed in order afterwards). Sends beyond
   * it are refused at once (a request fails with CONGESTED). @default 10000
   */
  maxQueued?: number;
  /** Reconnect after a lost session (false: the peer is gone for good). @default true */
  reconnect?: boolean | HttpReconnectPolicy;
  /** Give up on one connection attempt after this many ms. @default 10000 */
  connectTimeout?: number;
}

declare module '../../exchange/transports.js' {
  interface ConnectOptionsMap {
    http: HttpConnectOptions;
  }
}

const DEFAULT_MAX_BYTES = 1_048_576;

/**
 * Connect to a hub over HTTP and keep reconnecting (unless `reconnect: false`).
 * @param options - the hub's URL, limits and reconnection policy.
 * @returns the link, once the first session's stream is open.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if the first connection fails.
 */
export async function connect(options: HttpConnectOptions): Promise<Link> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const connectTimeout = options.connectTimeout ?? 10_000;
  const policy: HttpReconnectPolicy | undefined =
    options.reconnect === false
      ? undefined
      : typeof options.reconnect === 'object'
        ? options.reconnect
        : {};
  const { initialDelay = 100, maxDelay = 5000, factor = 2, jitter = 0.5 } = policy ?? {};
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dialling: AbortController | undefined;

  const link: FramedLink = new FramedLink({
    role: 'initiator',
    codecs: ['json'],
    maxBytes,
    ...(options.heartbeat !== undefined ? { heartbeat: options.heartbeat } : {}),
    ...(options.maxQueued !== undefined ? { maxQueued: options.maxQueued } : {}),
    reconnecting: policy !== undefined,
    onCarrierLost: () => retry(),
    onShut: () => {
      clearTimeout(timer);
      dialling?.abort();
    },
  });

  const dial = async () => {
    const stop = new AbortController();
    dialling = stop;
    const giveUp = setTimeout(() => stop.abort(), connectTimeout);
    try {
      const session = await openSession(options.url, stop.signal);
      const url = new URL(`link/${session.id}`, options.url).href;
      const res = await fetch(url, {
        headers: { accept: 'text/event-stream' },
        signal: stop.signal,
      });
      if (!res.ok || !res.body) throw new Error(`the stream answered ${res.status}`);
      clearTimeout(giveUp);
      attempt = 0;
      if (link.state === 'closed') return stop.abort();
      link.use(fetchCarrier({ url, events: res.body, stop, maxPost: session.maxBytes, maxBytes }));
    } catch (e) {
      const why = stop.signal.aborted ? timedOut(e, connectTimeout) : e;
      stop.abort();
      throw new ExchangeError(
        'TRANSPORT_CLOSED',
        `cannot connect to ${options.url}: ${(why as Error).message}`,
        { cause: e },
      );
    } finally {
      clearTimeout(giveUp);
      if (dialling === stop) dialling = undefined;
    }
  };

  const retry = () => {
    if (link.state === 'closed') return;
    const wait = Math.min(maxDelay, initialDelay * factor ** attempt++);
    timer = setTimeout(
      () => {
        if (link.state !== 'closed') dial().catch(retry);
      },
      wait * (1 - jitter * Math.random()),
    );
  };

  try {
    await dial();
  } catch (e) {
    link.close('first connection failed');
    throw e;
  }
  return link;
}

/** `POST /link`: a new session's id and the hub's largest POST body. */
async function openSession(
  base: string,
  signal: AbortSignal,
): Promise<{ id: string; maxBytes: number }> {
  const res = await fetch(new URL('link', base), { method: 'POST', signal });
  const body = (await res.json().catch(() => undefined)) as
    { session?: unknown; maxBytes?: unknown; message?: unknown } | undefined;
  if (res.status !== 201 || typeof body?.session !== 'string') {
    const message = typeof body?.message === 'string' ? `: ${body.message}` : '';
    throw new Error(`the hub answered ${res.status}${message}`);
  }
  const maxBytes = typeof body.maxBytes === 'number' ? body.maxBytes : DEFAULT_MAX_BYTES;
  return { id: body.session, maxBytes };
}

/** The error an abort gave, said as the timeout it was (unless it was something else). */
function timedOut(e: unknown, ms: number): Error {
  const name = (e as Error | undefined)?.name;
  return name === 'AbortError' ? new Error(`no connection within ${ms} ms`) : (e as Error);
}

/** The transport as registered under `http` (connect only: the hub accepts, see src/hub). */
export const httpTransport: Transport = {
  connect: (options) => connect(options as unknown as HttpConnectOptions),
};
