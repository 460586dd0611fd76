/**
 * What the hub's HTTP endpoints share: typed errors as HTTP statuses, bounded body reading,
 * strict JSON parsing and the cross-origin guard. docs/http.md documents the mapping.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import sjson from 'secure-json-parse';
import { ExchangeError, toWireError, type WireError } from '../index.js';

/**
 * The HTTP status for each error code; any other code is a 500. `NO_ROUTE` is a 503, not a 404:
 * the URL is right and the name is valid, but nothing serves it right now (retrying later may
 * work), while a 404 means the URL itself is wrong and may be cached as such.
 */
export const HTTP_STATUS: Readonly<Record<string, number>> = Object.freeze({
  INVALID_NAME: 400,
  BAD_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  REMOTE: 502,
  TRANSPORT_CLOSED: 502,
  NO_ROUTE: 503,
  CONGESTED: 503,
  TIMEOUT: 504,
});

/**
 * The HTTP status for an error's code.
 * @param code - an error code, e.g. from `toWireError(e).code`.
 * @returns its status from `HTTP_STATUS`, else 500.
 */
export function httpStatusOf(code: string): number {
  return HTTP_STATUS[code] ?? 500;
}

/** An error only the HTTP layer has (`BAD_JSON`, `BAD_REQUEST`, …): a wire error with a status. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: string,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The wire form of anything thrown: exchange errors keep theirs, HTTP errors their code. */
export function wireErrorOf(e: unknown): WireError {
  if (e instanceof HttpError) {
    return e.data === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, data: e.data };
  }
  return toWireError(e);
}

/** Reply with a JSON body (`undefined` body: 204-style, no content). */
export function replyJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.end();
  if (body === undefined) return void res.writeHead(status, headers).end();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Reply with the typed error `{ code, message, data? }` and the status its code maps to. */
export function replyError(res: ServerResponse, e: unknown): void {
  const wire = wireErrorOf(e);
  replyJson(res, httpStatusOf(wire.code), wire);
}

/** Beyond this many bytes past the limit, a refused upload's connection is dropped. */
const DISCARD_FACTOR = 16;

/**
 * Read a request body of at most `maxBytes`. Over the limit it throws `TOO_LARGE` at once (the
 * caller answers 413 while the rest is read and thrown away, so the client sees the answer
 * rather than a reset; a client that keeps sending past 16 × the limit is disconnected).
 * @throws {ExchangeError} `TOO_LARGE`; `CANCELLED` if the client goes away mid-body.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (size: string) =>
    new ExchangeError('TOO_LARGE', `the body is ${size}; this hub accepts at most ${maxBytes}`, {
      data: { max: maxBytes },
    });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    discard(req, maxBytes * DISCARD_FACTOR);
    return Promise.reject(tooLarge(`${declared} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      discard(req, maxBytes * DISCARD_FACTOR);
      reject(tooLarge(`over ${maxBytes} bytes`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', (e) => reject(new ExchangeError('CANCELLED', e.message, { cause: e })));
    req.once('close', () => {
      if (!req.complete) reject(new ExchangeError('CANCELLED', 'the client went away'));
    });
  });
}

/** Read and drop what is left of a refused body, up to `budget` bytes; then hang up. */
function discard(req: IncomingMessage, budget: number): void {
  let left = budget;
  req.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) req.socket.destroy();
  });
  req.resume();
}

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body as a JSON value; an empty (or all-whitespace) body is no value (`undefined`).
 * Parsing refuses `__proto__` and `constructor.prototype` keys (prototype pollution).
 * @throws {HttpError} `BAD_JSON` naming what is wrong.
 */
export function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new HttpError('BAD_JSON', 'the body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return sjson.parse(text, undefined, PARSE_OPTIONS) as unknown;
  } catch (e) {
    throw new HttpError('BAD_JSON', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Browsers send `Origin` on cross-origin requests: a page on another site must not make the
 * hub emit, ask or stream (it listens on loopback, which any page can reach). Tools like curl
 * send no `Origin`, and the hub's own pages send their own origin.
 * @throws {HttpError} `FORBIDDEN` for a foreign origin.
 */
export function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== undefined && host === req.headers.host) return;
  throw new HttpError('FORBIDDEN', `cross-origin requests from ${origin} are refused`);
}

/** The rest of `pathname` after `prefix`, percent-decoded. */
export function pathRest(pathname: string, prefix: string): string | undefined {
  if (!pathname.startsWith(prefix)) return undefined;
  try {
    return decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    throw new HttpError('BAD_REQUEST', `the path ${pathname} is not valid percent-encoding`);
  }
}

/** 405 with the methods a path takes. */
export function methodNotAllowed(res: ServerResponse, method: string, allow: string): void {
  res.setHeader('allow', allow);
  replyError(
    res,
    new HttpError('METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allow}`),
  );
}
