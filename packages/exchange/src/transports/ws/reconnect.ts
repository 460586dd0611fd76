import { ExchangeError, type Link } from '../../exchange/index.js';
import type { CodecName } from '../../wire/index.js';
import { FramedLink } from '../../transport/index.js';
import { socketCarrier, type WebSocketLike } from './socket-carrier.js';

/** How a client waits between reconnection attempts: exponential backoff with jitter. */
export interface ReconnectPolicy {
  /** First wait, in ms. @default 100 */
  initialDelay?: number;
  /** Longest wait, in ms. @default 5000 */
  maxDelay?: number;
  /** Growth per failed attempt. @default 2 */
  factor?: number;
  /** Fraction of each wait taken off at random, 0 to 1 (spreads a crowd's retries). @default 0.5 */
  jitter?: number;
}

/** Options of a WebSocket client (`ex.connect({ transport: 'websocket', url, … })`). */
export interface WebSocketConnectOptions {
  /** `ws://host:port/path` or `wss://…`. */
  url: string;
  /** Codecs to offer, preferred first. @default ['msgpack', 'json'] */
  codecs?: CodecName[];
  /** Heartbeat interval to propose, in ms (0: none). @default 15000 */
  heartbeat?: number;
  /** Largest message accepted from the hub, in bytes. @default 1 MiB */
  maxBytes?: number;
  /**
   * Frames held for the hub, also while disconnected (flushed in order on reconnect). Overflow
   * policy: sends beyond it are refused at once (a request fails with CONGESTED; `send` reports
   * `$exchange.dropped`). @default 10000
   */
  maxQueued?: number;
  /** Reconnect after a lost connection (false: the peer is gone for good). @default true */
  reconnect?: boolean | ReconnectPolicy;
  /** Give up on one connection attempt after this many ms. @default 10000 */
  connectTimeout?: number;
}

/**
 * Connect with `open` (the browser's WebSocket or the `ws` package's) and keep reconnecting:
 * resolves with the link once the first connection is up; rejects if that first one fails.
 */
export function connectWebSocket(
  open: (url: string) => WebSocketLike,
  options: WebSocketConnectOptions,
): Promise<Link> {
  const policy =
    options.reconnect === false
      ? undefined
      : { ...(options.reconnect === true ? {} : options.reconnect) };
  const { initialDelay = 100, maxDelay = 5000, factor = 2, jitter = 0.5 } = policy ?? {};
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let socket: WebSocketLike | undefined;

  const link: FramedLink = new FramedLink({
    role: 'initiator',
    ...(options.codecs ? { codecs: options.codecs } : {}),
    ...(options.heartbeat !== undefined ? { heartbeat: options.heartbeat } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.maxQueued !== undefined ? { maxQueued: options.maxQueued } : {}),
    reconnecting: policy !== undefined,
    onCarrierLost: () => retry(),
    onShut: () => {
      clearTimeout(timer);
      socket?.close();
    },
  });

  const dial = () =>
    new Promise<void>((resolve, reject) => {
      const s = open(options.url);
      socket = s;
      const giveUp = setTimeout(() => {
        s.close();
        fail(`no connection within ${options.connectTimeout ?? 10_000} ms`);
      }, options.connectTimeout ?? 10_000);
      const fail = (why: string) => {
        clearTimeout(giveUp);
        s.onopen = s.onclose = null;
        // A socket closed while still connecting emits 'error' on the next tick: without a
        // listener, Node would end the process (docs/reliability.md, finding 5).
        s.onerror = () => {};
        reject(new ExchangeError('TRANSPORT_CLOSED', `cannot connect to ${options.url}: ${why}`));
      };
      s.onopen = () => {
        clearTimeout(giveUp);
        attempt = 0;
        if (link.state === 'closed') return s.close();
        link.use(socketCarrier(s));
        resolve();
      };
      s.onclose = (event) => fail(event.reason || `closed with code ${event.code}`);
      s.onerror = () => {}; // the close event says why
    });

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

  return dial().then(
    () => link,
    (e: unknown) => {
      link.close('first connection failed');
      throw e;
    },
  );
}
