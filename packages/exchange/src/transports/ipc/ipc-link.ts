import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { ExchangeError } from '../../exchange/index.js';
import type { CodecName } from '../../wire/index.js';
import { FramedLink, linkOptions, type FramedLinkInit } from '../../transport/index.js';
import type { CreditCarrier, FlowStats } from './credit-carrier.js';

/** Options both ends of an IPC link take. */
export interface IpcLinkOptions {
  /** Codecs to offer or accept, preferred first. @default ['msgpack-compact', 'msgpack', 'json'] */
  codecs?: CodecName[];
  /** Heartbeat interval to propose, in ms (0: none). Exits are noticed without it. @default 15000 */
  heartbeat?: number;
  /** Largest message accepted from the other side, in bytes. @default 1 MiB */
  maxBytes?: number;
  /** Frames held for the other side while it has no credit for them; overflow refuses the newest. @default 10000 */
  maxQueued?: number;
  /**
   * Credit this side grants: bytes (string length for JSON text) the other side may send before
   * this side has taken them. @default 1 MiB
   */
  window?: number;
  /**
   * Bytes this side keeps toward the other (sent and unacknowledged, or waiting for credit)
   * before the link stops writing and queues frames instead. @default 4 MiB
   */
  maxBuffered?: number;
  /** Give up if the other side has not opened the channel within this many ms. @default 10000 */
  connectTimeout?: number;
}

export const DEFAULT_WINDOW = 1_048_576;

/**
 * A link over an IPC channel: the framed link plus what the channel adds, namely the
 * flow-control figures and, in the parent, the child process or worker at the other end.
 * `peer.link` is one of these for a peer connected with `transport: 'ipc'`.
 */
export class IpcLink extends FramedLink {
  /**
   * @param init - the framed link's options.
   * @param credit - the carrier it runs over (one channel: IPC links do not reconnect).
   * @param child - in the parent, the child process or worker (to `kill()` or `terminate()`).
   */
  constructor(
    init: FramedLinkInit,
    private readonly credit: CreditCarrier,
    readonly child?: ChildProcess | Worker,
  ) {
    super(init);
  }

  /** Flow control toward the other side: bytes buffered now, the most ever, stalls. */
  get flow(): Readonly<FlowStats> {
    return this.credit.flow;
  }
}

/** The framed link's options from an IPC link's. */
export function linkInit(
  role: FramedLinkInit['role'],
  options: IpcLinkOptions,
  onShut?: () => void,
): FramedLinkInit {
  return {
    role,
    ...linkOptions(options, ['codecs', 'heartbeat', 'maxBytes', 'maxQueued', 'maxBuffered']),
    // A child or worker is the parent's own: a full link is backpressure for the producer to
    // heed (peer.congested), not a stranger to disconnect.
    slowConsumerTimeout: 0,
    ...(onShut ? { onShut } : {}),
  };
}

/**
 * Wait for the other side to open the channel, at most `connectTimeout` ms.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if it went away or took too long (`what` says who).
 */
export async function opened(carrier: CreditCarrier, options: IpcLinkOptions, what: string) {
  const ms = options.connectTimeout ?? 10_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
      carrier.close('connect timeout');
    }, ms);
  });
  try {
    await Promise.race([carrier.opened, late]);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ExchangeError('TRANSPORT_CLOSED', `${what} did not connect: ${why}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}
