import { connect as dialSocket } from 'node:net';
import type { Link } from '../../exchange/index.js';
import {
  connectClient,
  linkOptions,
  type Carrier,
  type ReconnectPolicy,
} from '../../transport/index.js';
import { lineCarrier } from './line-carrier.js';

/** How a TCP client waits between reconnection attempts (the policy every client shares). */
export type TcpReconnectPolicy = ReconnectPolicy;

/** Options of a TCP client (`ex.connect({ transport: 'tcp', host, port, … })`). */
export interface TcpConnectOptions {
  /** Host to connect to. @default '127.0.0.1' */
  host?: string;
  /** Port to connect to (required unless `path` is given). */
  port?: number;
  /** A Unix socket (or Windows named pipe) path to connect to instead of host and port. */
  path?: string;
  /** Longest line accepted from the peer, in bytes. @default 1 MiB */
  maxBytes?: number;
  /** Heartbeat interval to propose, in ms (0: none). @default 15000 */
  heartbeat?: number;
  /**
   * Frames held for the peer, also while disconnected (flushed in order on reconnect). Sends
   * beyond it are refused at once (a request fails with CONGESTED). @default 10000
   */
  maxQueued?: number;
  /** Reconnect after a lost connection (false: the peer is gone for good). @default true */
  reconnect?: boolean | TcpReconnectPolicy;
  /** Give up on one connection attempt after this many ms. @default 10000 */
  connectTimeout?: number;
}

const DEFAULT_MAX_BYTES = 1_048_576;

/**
 * Connect to a TCP listener and keep reconnecting (unless `reconnect: false`): resolves with the
 * link once the first connection is up; rejects with `TRANSPORT_CLOSED` if that one fails.
 * @param options - where to connect, and the link's limits.
 * @returns the link (the exchange says hello on it).
 * @throws {TypeError} if neither `port` nor `path` is given.
 */
export async function connect(options: TcpConnectOptions): Promise<Link> {
  const where = target(options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return connectClient({
    url: where.url,
    dial: (signal) => dial(where, maxBytes, signal),
    reconnect: options.reconnect,
    connectTimeout: options.connectTimeout,
    link: {
      codecs: ['json'],
      maxBytes,
      ...linkOptions(options, ['heartbeat', 'maxQueued']),
    },
  });
}

/** One connection attempt: its carrier once connected. */
function dial(where: Target, maxBytes: number, signal: AbortSignal): Promise<Carrier> {
  return new Promise((resolve, reject) => {
    const socket = dialSocket(where.options);
    const fail = (why: string) => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
      reject(new Error(why));
    };
    const abort = () => fail('aborted');
    signal.addEventListener('abort', abort, { once: true });
    // Kept until the carrier has its own: an error after an abort finds a listener too.
    const failed = (e: Error) => fail(e.message);
    socket.on('error', failed);
    socket.once('connect', () => {
      signal.removeEventListener('abort', abort);
      socket.off('error', failed);
      resolve(lineCarrier(socket, maxBytes));
    });
  });
}

interface Target {
  options: { path: string } | { host: string; port: number };
  url: string;
}

/** Where to dial, as `net.connect` options and as a URL for messages. */
function target(options: TcpConnectOptions): Target {
  if (options.path !== undefined)
    return { options: { path: options.path }, url: `unix:${options.path}` };
  if (options.port === undefined) throw new TypeError('a tcp connection needs a port or a path');
  const host = options.host ?? '127.0.0.1';
  return { options: { host, port: options.port }, url: `tcp://${host}:${options.port}` };
}
