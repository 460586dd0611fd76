/**
 * The WebSocket transport on Node: clients through the `ws` package (Node 20 has no global
 * WebSocket), and a server that can share an HTTP server (the hub serves HTTP on the same port).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Link, Listener, Transport } from '../../exchange/index.js';
import type { CodecName } from '../../wire/index.js';
import { FramedLink, linkOptions } from '../../transport/index.js';
import { connectWebSocket, type WebSocketConnectOptions } from './reconnect.js';
import type { WebSocketLike } from './socket-carrier.js';
import { ServerCarrier } from './server-carrier.js';

/** Options of a WebSocket listener (`ex.listen({ transport: 'websocket', port, … })`). */
export interface WebSocketListenOptions {
  /** Port to listen on (0 picks a free one; see the listener's `port`). Ignored with `server`. */
  port?: number;
  /** Address to bind. @default '127.0.0.1' (loopback only: pass '0.0.0.0' to accept others) */
  host?: string;
  /** Only upgrades on this path are accepted. @default any path */
  path?: string;
  /** An HTTP server of yours to share (its port, its other routes); you start and stop it. */
  server?: Server;
  /** Largest message accepted from a peer, in bytes (also the `ws` maxPayload). @default 1 MiB */
  maxBytes?: number;
  /** Heartbeat interval to propose, in ms (0: none). @default 15000 */
  heartbeat?: number;
  /** Codecs accepted, preferred first. @default ['msgpack-compact', 'msgpack', 'json'] */
  codecs?: CodecName[];
  /** A connection must say hello within this many ms, or it is closed. @default 10000 */
  helloTimeout?: number;
  /** Frames held per peer while its socket is backed up; overflow refuses the newest. @default 10000 */
  maxQueued?: number;
  /**
   * A peer that keeps its link full (frames refused at `maxQueued`) this long is a slow consumer:
   * it is sent a `bye` with `CONGESTED` and disconnected (0: never). @default 10000
   */
  slowConsumerTimeout?: number;
}

declare module '../../exchange/transports.js' {
  interface ConnectOptionsMap {
    websocket: WebSocketConnectOptions;
  }
  interface ListenOptionsMap {
    websocket: WebSocketListenOptions;
  }
}

const DEFAULT_MAX_BYTES = 1_048_576;
/** What a listener passes on to each peer's link as the user set it (`maxBytes` has its default). */
const LINK_OPTIONS = [
  'codecs',
  'heartbeat',
  'maxQueued',
  'helloTimeout',
  'slowConsumerTimeout',
] as const;

/** Connect to a WebSocket listener with the `ws` package. */
export function connect(options: WebSocketConnectOptions): Promise<Link> {
  return connectWebSocket(
    (url) =>
      new WebSocket(url, {
        maxPayload: options.maxBytes ?? DEFAULT_MAX_BYTES,
        // Batches are already small (msgpack) and compressing them costs CPU and latency.
        perMessageDeflate: false,
      }) as unknown as WebSocketLike,
    options,
  );
}

/** Accept WebSocket peers; each becomes a link handed to `accept`. */
export async function listen(
  options: WebSocketListenOptions,
  accept: (link: Link) => void,
): Promise<Listener> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const own = options.server === undefined;
  const server =
    options.server ?? createServer((_, res) => res.writeHead(426).end('upgrade to WebSocket'));
  const wss = new WebSocketServer({
    server,
    maxPayload: maxBytes,
    perMessageDeflate: false,
    // The accepted sockets are tracked below, with their links (ws's own set costs a closure
    // per socket).
    clientTracking: false,
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
  // ws re-emits the HTTP server's errors (a taken port): whoever listens on the server handles
  // them (below, or the owner of a shared server); without a listener here they would throw.
  wss.on('error', () => {});
  const open = new Set<ServerCarrier>();
  const linkInit = { role: 'acceptor', maxBytes, ...linkOptions(options, LINK_OPTIONS) } as const;
  wss.on('connection', (socket) => {
    const link = new FramedLink(linkInit);
    const carrier = new ServerCarrier(socket, link, open);
    // Adopted before the first byte is read, so the peer's hello finds the exchange listening.
    accept(link);
    link.use(carrier);
  });
  if (own) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  // A shared server may start listening after this returns: read its address when first asked
  // while it listens, and keep it (a closed server has none).
  let known: AddressInfo | null = null;
  const address = () => (known ??= server.address() as AddressInfo | null);
  return {
    transport: 'websocket',
    get url() {
      const a = address();
      if (!a) return `ws://(not listening yet)${options.path ?? '/'}`;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      return `ws://${host}:${a.port}${options.path ?? '/'}`;
    },
    get port() {
      return address()?.port;
    },
    close: async () => {
      for (const carrier of [...open]) carrier.link.close('listener closed');
      for (const carrier of [...open]) carrier.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (own) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The transport as registered under `websocket`. */
export const websocketTransport: Transport = {
  connect: (options) => connect(options as unknown as WebSocketConnectOptions),
  listen: (options, accept) => listen(options as unknown as WebSocketListenOptions, accept),
};
