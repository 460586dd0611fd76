import { ExchangeError } from '../exchange/index.js';
import type { Carrier } from './carrier.js';
import { FramedLink, type FramedLinkInit } from './framed-link.js';

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

/** What a client transport gives `connectClient`. */
export interface ClientInit {
  /** Where it connects, for error messages (`ws://…`, `tcp://…`). */
  url: string;
  /**
   * One connection attempt. Resolves with a carrier on an open connection; rejects with why it
   * failed. When `signal` aborts (the attempt took `connectTimeout`, or the link closed), it
   * must let go of what it opened and reject, leaving no event unhandled behind it.
   */
  dial: (signal: AbortSignal) => Promise<Carrier>;
  /** Reconnect after a lost connection (false: the peer is gone for good). @default true */
  reconnect?: boolean | ReconnectPolicy | undefined;
  /** Give up on one attempt after this many ms. @default 10000 */
  connectTimeout?: number | undefined;
  /** The link's own options (it is the initiator; reconnecting unless `reconnect` is false). */
  link?: Omit<FramedLinkInit, 'role' | 'reconnecting' | 'onCarrierLost' | 'onShut'>;
}

/**
 * The client half every wire transport shares: dial, hand the connection to a framed link, and
 * when the connection is lost dial again after a backoff (exponential, capped, with jitter)
 * until it works or the link is closed. Each attempt is aborted after `connectTimeout`.
 * @param init - how to dial, and the policies.
 * @returns the link, once the first connection is up.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if the first attempt fails (there is no retry then:
 *   the caller learns at once that the address is wrong or the peer is down).
 */
export async function connectClient(init: ClientInit): Promise<FramedLink> {
  const timeout = init.connectTimeout ?? 10_000;
  const delays = init.reconnect === false ? undefined : backoff(init.reconnect);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dialling: AbortController | undefined;

  const link: FramedLink = new FramedLink({
    ...init.link,
    role: 'initiator',
    reconnecting: delays !== undefined,
    onCarrierLost: () => retry(),
    onShut: () => {
      clearTimeout(timer);
      dialling?.abort(new Error('the link closed'));
    },
  });

  const attempt = async () => {
    const stop = new AbortController();
    dialling = stop;
    const giveUp = setTimeout(
      () => stop.abort(new Error(`no connection within ${timeout} ms`)),
      timeout,
    );
    let carrier: Carrier;
    try {
      carrier = await init.dial(stop.signal);
      // A dial that resolved as it was aborted: its connection is not wanted.
      if (stop.signal.aborted) {
        carrier.close('connect aborted');
        throw stop.signal.reason;
      }
    } catch (e) {
      const why = stop.signal.aborted ? (stop.signal.reason as Error) : (e as Error);
      throw new ExchangeError('TRANSPORT_CLOSED', `cannot connect to ${init.url}: ${why.message}`, {
        cause: e,
      });
    } finally {
      clearTimeout(giveUp);
      if (dialling === stop) dialling = undefined;
    }
    delays?.reset();
    if (link.state === 'closed') return carrier.close('link closed');
    link.use(carrier);
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

/** Waits between attempts: exponential, capped, each shortened by a random part (jitter). */
function backoff(policy: boolean | ReconnectPolicy | undefined) {
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
