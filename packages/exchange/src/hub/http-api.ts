/**
 * The hub's HTTP API: emit, ask and observe with nothing but HTTP (curl, a shell script, a
 * language without a client). docs/http.md documents the endpoints, statuses and resume.
 *
 * - `POST /messages/{name}`: emit the JSON body (empty: no value) → `202 {"id": …}`.
 * - `POST /requests/{name}?timeout=ms`: ask → `200` with the reply value as JSON (`204` when the
 *   reply has no value); a typed error `{ code, message, data? }` with its status otherwise.
 * - `GET /events?pattern=…`: Server-Sent Events of the messages the hub observes, with resume.
 *
 * Headers `x-exchange-header-{key}: value` become the message's headers `{ key: value }`.
 *
 * @example
 * const api = httpApi(hub.exchange, { maxBytes: 1 << 20 });
 * // in the HTTP server: if (await api.route(req, res, url)) return;
 * // curl -X POST 'http://127.0.0.1:4860/requests/users.list' -d '{"role":"admin"}'
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SYSTEM_PREFIX, validateName, type Exchange, type SendOptions } from '../index.js';
import type { HttpRoute } from './hub.js';
import { EventStreams, type EventStreamsInit } from './http-events.js';
import {
  HttpError,
  checkOrigin,
  methodNotAllowed,
  parseJsonBody,
  pathRest,
  readBody,
  replyError,
  replyJson,
} from './http-util.js';

/** Options of the HTTP API (defaults in parentheses); the event streams' bounds too. */
export interface HttpApiInit extends EventStreamsInit {
  /** Largest request body, in bytes; more is a 413 `TOO_LARGE`. (1 MiB) */
  maxBytes?: number;
  /** Longest `?timeout=` a request may ask for, in ms. (300,000) */
  maxTimeout?: number;
}

/** A set of HTTP routes with state to release when the hub closes. */
export interface HttpService {
  readonly route: HttpRoute;
  close(): void;
}

/** The prefix of request headers that become message headers. */
export const HEADER_PREFIX = 'x-exchange-header-';
/** Most message headers (the wire protocol's limit). */
const MAX_HEADERS = 64;
/** The one system name HTTP clients may ask: the hub's own description. */
const INFO = '$exchange.info';

/**
 * The HTTP API of an exchange (the hub's), as one route for `startHub`'s route list.
 * @param ex - the exchange that emits, asks and observes on the callers' behalf.
 * @param init - body and timeout limits, and the event streams' bounds.
 * @returns the route, its event streams, and `close` (ends the streams, stops observing).
 */
export function httpApi(
  ex: Exchange,
  init: HttpApiInit = {},
): HttpService & { readonly events: EventStreams } {
  const maxBytes = init.maxBytes ?? 1_048_576;
  const maxTimeout = init.maxTimeout ?? 300_000;
  const events = new EventStreams(ex, init);

  const emit = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    checkName(name, 'emit');
    const options = sendOptions(req);
    const value = parseJsonBody(await readBody(req, maxBytes));
    const env = ex.send(name, value, options);
    replyJson(res, 202, { id: env.id });
  };

  const ask = async (req: IncomingMessage, res: ServerResponse, name: string, url: URL) => {
    if (name !== INFO) checkName(name, 'ask');
    const timeout = timeoutOf(url, maxTimeout);
    const options = sendOptions(req);
    const value = parseJsonBody(await readBody(req, maxBytes));
    // The caller hanging up cancels the request: nothing is left pending for it.
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableEnded) gone.abort();
    });
    const reply = await ex.requestMessage(name, value, {
      ...options,
      ...(timeout === undefined ? {} : { timeout }),
      signal: gone.signal,
    });
    replyJson(res, reply.value === undefined ? 204 : 200, reply.value, {
      'x-exchange-from': reply.from,
    });
  };

  const route: HttpRoute = async (req, res, url) => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (path === '/events') {
        if (method !== 'GET') methodNotAllowed(res, method, 'GET');
        else {
          checkOrigin(req);
          events.open(req, res, url.searchParams.get('pattern') ?? '>');
        }
        return true;
      }
      const message = pathRest(path, '/messages/');
      const request = message === undefined ? pathRest(path, '/requests/') : undefined;
      if (message === undefined && request === undefined) return false;
      if (method !== 'POST') {
        methodNotAllowed(res, method, 'POST');
        return true;
      }
      checkOrigin(req);
      if (message !== undefined) await emit(req, res, message);
      else await ask(req, res, request!, url);
    } catch (e) {
      // A caller that hung up gets nothing (its request was cancelled).
      if (!res.destroyed) replyError(res, e);
    }
    return true;
  };

  return { route, events, close: () => events.close() };
}

/**
 * A valid message name that is not a system one: system messages are the exchange's own, so
 * an HTTP caller may neither forge them nor ask them (but `$exchange.info`).
 */
function checkName(name: string, what: string): void {
  validateName(name);
  if (name.startsWith(SYSTEM_PREFIX))
    throw new HttpError('FORBIDDEN', `HTTP callers may not ${what} system messages (${name})`, {
      name,
    });
}

/** `x-exchange-header-{key}` request headers as the message's headers. */
function sendOptions(req: IncomingMessage): SendOptions {
  let headers: Record<string, string> | undefined;
  let count = 0;
  for (const [key, value] of Object.entries(req.headers)) {
    if (!key.startsWith(HEADER_PREFIX) || key.length === HEADER_PREFIX.length) continue;
    if (++count > MAX_HEADERS)
      throw new HttpError('BAD_REQUEST', `at most ${MAX_HEADERS} x-exchange-header-* headers`);
    headers ??= {};
    headers[key.slice(HEADER_PREFIX.length)] = Array.isArray(value)
      ? value.join(', ')
      : String(value);
  }
  return headers === undefined ? {} : { headers };
}

/** `?timeout=ms`: a whole number of ms from 1 to `max`; absent: the exchange's default. */
function timeoutOf(url: URL, max: number): number | undefined {
  const raw = url.searchParams.get('timeout');
  if (raw === null) return undefined;
  const ms = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (ms >= 1 && ms <= max) return ms;
  throw new HttpError('BAD_REQUEST', `timeout must be a whole number of ms from 1 to ${max}`, {
    timeout: raw,
  });
}
