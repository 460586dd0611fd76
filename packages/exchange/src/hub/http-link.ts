/**
 * The hub's side of the HTTP transport (`src/transports/http/`): a peer joins with nothing but
 * HTTP requests, as a session that carries the wire protocol (spec/protocol.md) in JSON.
 *
 * - `POST /link` creates a session → `201 {"session": id, "maxBytes": n}`. Its framed link is
 *   attached to the hub's exchange at once; the session is dropped if its stream does not
 *   open within `idleTimeout`.
 * - `GET /link/{id}` is the hub → peer half: Server-Sent Events, one transport message per
 *   event (`data: [frames…]`). Its end ends the session (the client reconnects with a new one).
 * - `POST /link/{id}` is the peer → hub half: transport messages, one per line, in order (the
 *   client keeps one POST in flight) → `204`.
 * - `DELETE /link/{id}` ends the session.
 *
 * Handshake, heartbeats, coalescing and bounds are the framed link's: the stream's unsent bytes
 * are the carrier's `buffered`, so a peer that stops reading backs the link up and its bounded
 * queue refuses frames (CONGESTED) rather than growing; one that stays so for
 * `slowConsumerTimeout` is sent a `bye` with CONGESTED and its session ends, as a WebSocket slow
 * consumer is disconnected. A peer that stops posting is given up after two heartbeat intervals
 * without a frame.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExchangeError, type Exchange } from '../index.js';
import { FramedLink, linkOptions, type Carrier } from '../transport/index.js';
import type { HttpService } from './http-api.js';
import type { HttpRoute } from './hub.js';
import { checkOrigin, methodNotAllowed, readBody, replyError, replyJson } from './http-util.js';

/** Options of the hub's HTTP transport sessions (defaults in parentheses). */
export interface HttpLinksInit {
  /** Largest transport message and largest POST body, in bytes. (1 MiB) */
  maxBytes?: number;
  /** Heartbeat interval this side proposes, in ms (0: none). (15,000) */
  heartbeat?: number;
  /** Frames held per session while its stream is backed up; overflow refuses the newest. (10,000) */
  maxQueued?: number;
  /**
   * A session whose link stays full (frames refused at `maxQueued`) this many ms is a slow
   * consumer: its stream gets a `bye` with `CONGESTED` and ends (0: never). (10,000)
   */
  slowConsumerTimeout?: number;
  /** Sessions at once; more: 503 CONGESTED. (1,024) */
  maxSessions?: number;
  /** How long a new session waits for its stream before it is dropped, in ms. (10,000) */
  idleTimeout?: number;
}

const SESSION = /^[\w-]{22}$/;
const NEWLINE = 0x0a;

interface Session {
  readonly id: string;
  readonly link: FramedLink;
  readonly carrier: SessionCarrier;
  idle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Accept HTTP transport sessions for `ex` (the hub's exchange).
 * @param ex - the exchange each session's link is attached to.
 * @param init - limits and timings.
 * @returns the `/link` routes, the number of open sessions, and `close` (ends them all).
 */
export function httpLinks(
  ex: Exchange,
  init: HttpLinksInit = {},
): HttpService & { readonly sessions: number } {
  const maxBytes = init.maxBytes ?? 1_048_576;
  const maxSessions = init.maxSessions ?? 1024;
  const idleTimeout = init.idleTimeout ?? 10_000;
  const sessions = new Map<string, Session>();

  const create = (res: ServerResponse) => {
    if (sessions.size >= maxSessions)
      throw new ExchangeError('CONGESTED', `${maxSessions} HTTP sessions are open; try later`);
    const id = randomBytes(16).toString('base64url');
    const carrier = new SessionCarrier();
    const link = new FramedLink({
      role: 'acceptor',
      codecs: ['json'],
      maxBytes,
      ...linkOptions(init, ['heartbeat', 'maxQueued', 'slowConsumerTimeout']),
      onShut: () => {
        clearTimeout(session.idle);
        sessions.delete(id);
      },
    });
    const session: Session = { id, link, carrier, idle: undefined };
    sessions.set(id, session);
    session.idle = setTimeout(() => carrier.close('no stream opened'), idleTimeout);
    session.idle.unref();
    // Adopted before the first POST can arrive, so the peer's hello finds the exchange waiting.
    // A refused peer (a taken id) is the exchange's to report; the link closes either way.
    ex.attach(link).catch(() => {});
    link.use(carrier);
    replyJson(res, 201, { session: id, maxBytes });
  };

  const stream = (res: ServerResponse, session: Session) => {
    if (session.carrier.streaming)
      return replyJson(res, 409, {
        code: 'BAD_REQUEST',
        message: 'this session already has its stream',
      });
    clearTimeout(session.idle);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    // The client's connect waits for these headers; the hub's hello comes only after its own.
    res.flushHeaders();
    session.carrier.attach(res);
  };

  const receive = async (req: IncomingMessage, res: ServerResponse, session: Session) => {
    const body = await readBody(req, maxBytes);
    // One transport message per line (JSON text has no raw newlines), delivered in order.
    let start = 0;
    while (start < body.length && !session.carrier.closed) {
      let end = body.indexOf(NEWLINE, start);
      if (end < 0) end = body.length;
      if (end > start) session.carrier.onData(body.subarray(start, end));
      start = end + 1;
    }
    replyJson(res, 204, undefined);
  };

  const route: HttpRoute = async (req, res, url) => {
    const path = url.pathname;
    if (path !== '/link' && !path.startsWith('/link/')) return false;
    const method = req.method ?? 'GET';
    try {
      checkOrigin(req);
      if (path === '/link') {
        if (method === 'POST') create(res);
        else methodNotAllowed(res, method, 'POST');
        return true;
      }
      const id = path.slice('/link/'.length);
      const session = SESSION.test(id) ? sessions.get(id) : undefined;
      if (!session) {
        replyJson(res, 404, { code: 'TRANSPORT_CLOSED', message: `no session ${id}` });
        return true;
      }
      if (method === 'GET') stream(res, session);
      else if (method === 'POST') await receive(req, res, session);
      else if (method === 'DELETE') {
        session.carrier.close('closed by the client');
        replyJson(res, 204, undefined);
      } else methodNotAllowed(res, method, 'GET, POST, DELETE');
    } catch (e) {
      if (!res.destroyed) replyError(res, e);
    }
    return true;
  };

  return {
    route,
    get sessions() {
      return sessions.size;
    },
    close: () => {
      for (const s of [...sessions.values()]) s.link.close('hub closing');
    },
  };
}

/**
 * One session's carrier: writes go to its event stream (held until the stream opens), data
 * comes from its POSTs.
 */
class SessionCarrier implements Carrier {
  readonly binary = false;
  closed = false;
  onData: (data: string | Uint8Array) => void = () => {};
  onClose: (reason: string) => void = () => {};
  onDrain: () => void = () => {};
  private res: ServerResponse | undefined;
  private held: string[] = [];
  private heldBytes = 0;

  get streaming(): boolean {
    return this.res !== undefined;
  }

  get buffered(): number {
    return this.res ? this.res.writableLength : this.heldBytes;
  }

  write(data: string | Uint8Array): void {
    if (this.closed || this.res?.destroyed) return;
    const text = `data: ${typeof data === 'string' ? data : Buffer.from(data).toString('utf8')}\n\n`;
    if (!this.res) {
      this.held.push(text);
      this.heldBytes += text.length;
    } else this.res.write(text);
  }

  attach(res: ServerResponse): void {
    this.res = res;
    for (const text of this.held) res.write(text);
    this.held = [];
    this.heldBytes = 0;
    res.on('drain', () => this.onDrain());
    res.once('close', () => this.close('the event stream closed'));
    if (res.destroyed) this.close('the event stream closed');
  }

  /** End the stream (the link closes, or the client went: its stream closed, DELETE, none came). */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.res?.end();
    this.onClose(reason);
  }
}
