import type { Link } from '../../exchange/index.js';
import type { CodecName } from '../../wire/index.js';
import {
  connectClient,
  linkOptions,
  type Carrier,
  type ReconnectPolicy,
} from '../../transport/index.js';
import { socketCarrier, type WebSocketLike } from './socket-carrier.js';

export type { ReconnectPolicy };
/** Options of a WebSocket client (`ex.connect({ transport: 'websocket', url, … })`). */
export interface WebSocketConnectOptions {
  /** `ws://host:port/path` or `wss://…`. */
  url: string;
  /** Codecs to offer, preferred first. @default ['msgpack-compact', 'msgpack', 'json'] */
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
  return connectClient({
    url: options.url,
    dial: (signal) => dial(open, options.url, signal),
    reconnect: options.reconnect,
    connectTimeout: options.connectTimeout,
    link: linkOptions(options, ['codecs', 'heartbeat', 'maxBytes', 'maxQueued']),
  });
}

/** One WebSocket connection attempt: its carrier once open. */
function dial(
  open: (url: string) => WebSocketLike,
  url: string,
  signal: AbortSignal,
): Promise<Carrier> {
  return new Promise((resolve, reject) => {
    const s = open(url);
    const fail = (why: string) => {
      signal.removeEventListener('abort', abort);
      s.onopen = s.onclose = null;
      // A socket closed while still connecting emits 'error' on the next tick: without a
      // listener, Node would end the process (docs/reliability.md, finding 5).
      s.onerror = () => {};
      reject(new Error(why));
    };
    const abort = () => {
      s.close();
      fail('aborted');
    };
    signal.addEventListener('abort', abort, { once: true });
    s.onopen = () => {
      signal.removeEventListener('abort', abort);
      resolve(socketCarrier(s));
    };
    s.onclose = (event) => fail(event.reason || `closed with code ${event.code}`);
    s.onerror = () => {}; // the close event says why
  });
}
