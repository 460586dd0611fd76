/**
 * The hub: an exchange that listens on WebSocket and HTTP on one port, serves the browser
 * bundle and the demo page, and (optionally) runs the founding demonstration.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exchange, type Envelope, type Exchange, type Listener } from '../index.js';
import type { HubConfig } from './config.js';
import { DEMO_PAGE } from './demo-page.js';
import { startDemo, type Demo } from './demo.js';
import { httpApi } from './http-api.js';
import { httpLinks } from './http-link.js';
import type { Logger } from './logger.js';

/**
 * One HTTP route: answer and return true, or return false to let the next route try. Errors
 * thrown become a 500 with the typed error in the body.
 */
export type HttpRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => boolean | Promise<boolean>;

export interface Hub {
  readonly exchange: Exchange;
  readonly config: HubConfig;
  /** `http://host:port/` */
  readonly url: string;
  /** `ws://host:port/ws` */
  readonly wsUrl: string;
  readonly port: number;
  readonly demo: Demo | undefined;
  close(): Promise<void>;
}

/** A hub that cannot start: the port is taken, or the address cannot be bound. */
export class HubStartError extends Error {
  override readonly name = 'HubStartError';
  constructor(
    readonly code: 'PORT_IN_USE' | 'BIND_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** The browser bundle: beside the built hub in dist/, or in dist/ when the hub runs from src/. */
const BUNDLES = [
  new URL('../browser/exchange.js', import.meta.url),
  new URL('../../dist/browser/exchange.js', import.meta.url),
];

/** Start a hub; resolves once it accepts connections. */
export async function startHub(
  config: HubConfig,
  options: { logger?: Logger; routes?: HttpRoute[] } = {},
): Promise<Hub> {
  const { logger } = options;
  const ex = exchange({ id: config.id, logSize: config.logSize, logMaxBytes: config.logMaxBytes });
  // The HTTP API and the HTTP transport's sessions (docs/http.md).
  const { maxBytes, heartbeat, slowConsumerTimeout } = config;
  const http = [
    httpApi(ex, { maxBytes, heartbeat }),
    httpLinks(ex, { maxBytes, heartbeat, slowConsumerTimeout }),
  ];
  const routes: HttpRoute[] = [
    ...(options.routes ?? []),
    ...http.map((h) => h.route),
    staticRoutes(ex, config),
  ];
  const server = createServer((req, res) => void serve(routes, req, res, logger));
  const listener: Listener = await ex.listen({
    transport: 'websocket',
    server,
    maxBytes: config.maxBytes,
    heartbeat: config.heartbeat,
    slowConsumerTimeout: config.slowConsumerTimeout,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new HubStartError(
              'PORT_IN_USE',
              `port ${config.port} on ${config.host} is in use: stop what holds it, or pick another with --port (or EXCHANGE_PORT)`,
            )
          : new HubStartError(
              'BIND_FAILED',
              `cannot listen on ${config.host}:${config.port}: ${e.message}`,
            ),
      );
    });
    server.listen(config.port, config.host, () => resolve());
  });
  if (logger) logSystem(ex, logger);
  const demo = config.demo ? await startDemo(ex) : undefined;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger?.info({ port: address.port, demo: config.demo }, 'hub listening');
  let closing: Promise<void> | undefined;
  return {
    exchange: ex,
    config,
    url: `http://${host}:${address.port}/`,
    wsUrl: `ws://${host}:${address.port}/ws`,
    port: address.port,
    demo,
    close: () =>
      (closing ??= (async () => {
        demo?.close();
        for (const h of http) h.close();
        ex.close();
        await listener.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        logger?.info('hub closed');
      })()),
  };
}

async function serve(
  routes: HttpRoute[],
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger | undefined,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  try {
    for (const route of routes) if (await route(req, res, url)) return;
    sendJson(res, 404, { code: 'NOT_FOUND', message: `nothing at ${req.method} ${url.pathname}` });
  } catch (e) {
    logger?.error({ err: e, path: url.pathname }, 'HTTP route failed');
    if (!res.headersSent) sendJson(res, 500, { code: 'INTERNAL', message: String(e) });
    else res.destroy();
  }
}

/** Reply with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The demo page, the browser bundle, the dashboard slot, health and info. */
function staticRoutes(ex: Exchange, config: HubConfig): HttpRoute {
  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(config.demo ? DEMO_PAGE : hubPage(ex));
        return true;
      case '/exchange.js':
      case '/exchange.js.map': {
        let body: Buffer | undefined;
        for (const bundle of BUNDLES) {
          const file = url.pathname.endsWith('.map') ? new URL('exchange.js.map', bundle) : bundle;
          body = await readFile(file).catch(() => undefined);
          if (body) break;
        }
        if (!body) {
          sendJson(res, 404, {
            code: 'NOT_FOUND',
            message: 'browser bundle not built: run npm run build',
          });
          return true;
        }
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(body);
        return true;
      }
      case '/dashboard':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html><title>Exchange dashboard</title><p>The live dashboard comes in a later release. ' +
            'Meanwhile: <a href="/info">/info</a> (peers, routes, counters) and the demo at <a href="/">/</a>.</p>',
        );
        return true;
      case '/health':
        sendJson(res, 200, { ok: true, id: ex.id, peers: ex.describe().peers.length });
        return true;
      case '/info':
        sendJson(res, 200, ex.describe());
        return true;
      default:
        return false;
    }
  };
}

function hubPage(ex: Exchange): string {
  return `<!doctype html><title>Exchange hub ${ex.id}</title><h1>Exchange hub <code>${ex.id}</code></h1>
<p>Connect with WebSocket at <code>/ws</code>. See <a href="/info">/info</a> and <a href="/dashboard">/dashboard</a>.</p>`;
}

/**
 * This hub's peers coming and going, and its errors, go to the log. The observers are local
 * (not advertised): advertised, they would draw every peer's own system messages of these names
 * to the hub, only to be ignored here.
 */
function logSystem(ex: Exchange, logger: Logger): void {
  // A system message that comes here anyway (for another observer) is not the hub's: skip it.
  const own = (level: 'info' | 'warn', text: string) => (m: Envelope) => {
    if (m.from === ex.id) logger[level](m.value as Record<string, unknown>, text);
  };
  const local = { local: true };
  ex.on('$exchange.peer.connected', own('info', 'peer connected'), local);
  ex.on('$exchange.peer.disconnected', own('info', 'peer disconnected'), local);
  ex.on('$exchange.error', own('warn', 'handler or transport error'), local);
  ex.on('$exchange.congested', own('warn', 'peer congested'), local);
}
