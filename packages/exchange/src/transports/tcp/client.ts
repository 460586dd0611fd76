import { connect as dialSocket, type Socket } from 'node:net';
import { ExchangeError, type Link } from '../../exchange/index.js';
import { FramedLink } from '../../transport/index.js';
import { lineCarrier } from './line-carrier.js';

/** How a TCP client waits between reconnection attempts: exponential backoff with jitter. */
export interface TcpReconnectPolicy {
  /** First wait, in ms. @default 100 */
  initialDelay?: number;
  /** Longest wait, in ms. @default 5000 */
  maxDelay?: number;
  /** Growth per failed attempt. @default 2 */
  factor?: number;
  /** Fraction of each wait taken off at random, 0 to 1 (spreads a crowd's retries). @default 0.5 */
  jitter?: number;
}

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
  const connectTimeout = options.connectTimeout ?? 10_000;
  const delays = options.reconnect === false ? undefined : backoff(options.reconnect);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let socket: Socket | undefined;

  const link: FramedLink = new FramedLink({
    role: 'initiator',
    codecs: ['json'],
    maxBytes,
    ...(options.heartbeat !== undefined ? { heartbeat: options.heartbeat } : {}),
    ...(options.maxQueued !== undefined ? { maxQueued: options.maxQueued } : {}),
    reconnecting: delays !== undefined,
    onCarrierLost: () => retry(),
    onShut: () => {
      clearTimeout(timer);
      socket?.end();
    },
  });

  const attempt = async () => {
    socket = await dial(where, connectTimeout);
    delays?.reset();
    if (link.state === 'closed') return void socket.destroy();
    link.use(lineCarrier(socket, maxBytes));
  };
  const retry = () => {
    if (link.state === 'closed' || !delays) return;
    timer = setTimeout(() => {
      if (link.state !== 'closed') attempt().catch(retry);
    }, delays.next());
  };

  try {
    await attempt();
  } catch (e) {
    link.close('first connection failed');
    throw e;
  }
  return link;
}

/**
 * One connection attempt.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if it fails or takes over `timeout` ms.
 */
function dial(where: Target, timeout: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = dialSocket(where.options);
    const fail = (why: string) => {
      socket.destroy();
      reject(new ExchangeError('TRANSPORT_CLOSED', `cannot connect to ${where.url}: ${why}`));
    };
    socket.setTimeout(timeout, () => fail(`no connection within ${timeout} ms`));
    socket.once('error', (e) => fail(e.message));
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeAllListeners('error');
      socket.removeAllListeners('timeout');
      resolve(socket);
    });
  });
}

/** Waits between attempts: exponential, capped, each shortened by a random part (jitter). */
function backoff(policy: boolean | TcpReconnectPolicy | undefined) {
  const {
    initialDelay = 100,
    maxDelay = 5000,
    factor = 2,
    jitter = 0.5,
  } = typeof policy === 'object' ? policy : {};
  let failures = 0;
  return {
    next: () =>
      Math.min(maxDelay, initialDelay * factor ** failures++) * (1 - jitter * Math.random()),
    reset: () => (failures = 0),
  };
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
