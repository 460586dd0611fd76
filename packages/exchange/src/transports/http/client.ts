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
import type { Link, Transport } from '../../exchange/index.js';
import {
  connectClient,
  linkOptions,
  type Carrier,
  type ReconnectPolicy,
} from '../../transport/index.js';
import { fetchCarrier } from './fetch-carrier.js';

/** How an HTTP client waits between reconnection attempts (the policy every client shares). */
export type HttpReconnectPolicy = ReconnectPolicy;

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
  return connectClient({
    url: options.url,
    dial: (signal) => dial(options.url, maxBytes, signal),
    reconnect: options.reconnect,
    connectTimeout: options.connectTimeout,
    link: {
      codecs: ['json'],
      maxBytes,
      ...linkOptions(options, ['heartbeat', 'maxQueued']),
    },
  });
}

/** One session: `POST /link`, then its event stream; the carrier once the stream is open. */
async function dial(base: string, maxBytes: number, signal: AbortSignal): Promise<Carrier> {
  const session = await openSession(base, signal);
  const url = new URL(`link/${session.id}`, base).href;
  // The session's own: it ends the stream when the carrier closes, long after this attempt.
  const stop = new AbortController();
  const abort = () => stop.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: stop.signal });
    if (!res.ok || !res.body) throw new Error(`the stream answered ${res.status}`);
    return fetchCarrier({ url, events: res.body, stop, maxPost: session.maxBytes, maxBytes });
  } catch (e) {
    stop.abort();
    throw e;
  } finally {
    signal.removeEventListener('abort', abort);
  }
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

/** The transport as registered under `http` (connect only: the hub accepts, see src/hub). */
export const httpTransport: Transport = {
  connect: (options) => connect(options as unknown as HttpConnectOptions),
};
