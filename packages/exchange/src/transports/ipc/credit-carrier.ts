import { ExchangeError } from '../../exchange/index.js';
import type { Carrier } from '../../transport/index.js';
import type { Port } from './ports.js';

/**
 * The carrier's own messages, beside the protocol's: objects, where protocol data is always a
 * string (json) or bytes (msgpack, msgpack-compact), so the two cannot be confused. `open` says how many bytes
 * the sender may have unacknowledged toward this side (its credit) and, from the parent, whether
 * bytes can cross the channel; `ack` returns credit; `close` says the other side let go.
 */
type Control =
  | { exchangeIpc: 'open'; window: number; binary: boolean }
  | { exchangeIpc: 'ack'; bytes: number }
  | { exchangeIpc: 'close'; reason: string };

/** How long a receiver holds back a small ack, hoping to return more credit in one message. */
const ACK_DELAY_MS = 5;

/** Options of a credit carrier. */
export interface CreditCarrierInit {
  /** Bytes the peer may send before this side has processed them (the credit it grants). */
  window: number;
  /** The parent says whether bytes cross the channel; the child learns it from the parent. */
  binary?: boolean;
  /** The parent speaks second: it answers the child's `open` (so the child surely listens). */
  answer: boolean;
}

/** Flow-control figures of one side of an IPC channel. */
export interface FlowStats {
  /** Bytes sent and not yet acknowledged, plus bytes held back for want of credit. */
  buffered: number;
  /** The most `buffered` ever was on this channel. */
  maxBuffered: number;
  /** Bytes the peer lets this side have unacknowledged (its window); 0 before it opened. */
  window: number;
  /** Times a message had to wait for credit. */
  stalls: number;
}

/**
 * A carrier over a message channel without backpressure (`process.send`, `postMessage`), with
 * credit-based flow control added. Each side grants the other a window of bytes (string length
 * for text); the sender posts while its unacknowledged bytes fit in the window and holds the
 * rest, the receiver acknowledges bytes once the link has taken them (decoded and delivered to
 * the exchange). `buffered` counts both, so the framed link stops writing once it is over its
 * bound, and its bounded queue applies: nothing is lost, and memory stays bounded on both sides.
 */
export class CreditCarrier implements Carrier {
  binary: boolean;
  onData: (data: string | Uint8Array) => void = () => {};
  onClose: (reason: string) => void = () => {};
  onDrain: () => void = () => {};
  /** Resolves once the other side has opened (granted its window); rejects if it is gone first. */
  readonly opened: Promise<void>;
  private readonly stats: FlowStats = { buffered: 0, maxBuffered: 0, window: 0, stalls: 0 };
  private unacked = 0;
  private held: (string | Uint8Array)[] = [];
  private heldBytes = 0;
  private consumed = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private settle: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly port: Port,
    private readonly init: CreditCarrierInit,
  ) {
    this.binary = init.binary ?? false;
    this.opened = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    port.listen(
      (message) => this.receive(message),
      (reason) => this.gone(reason),
    );
    if (!init.answer) this.open();
  }

  get buffered(): number {
    return this.unacked + this.heldBytes;
  }

  /** Flow-control figures, for monitoring and tests. */
  get flow(): Readonly<FlowStats> {
    this.stats.buffered = this.buffered;
    return this.stats;
  }

  write(data: string | Uint8Array): void {
    if (this.closed) return;
    const size = sizeOf(data);
    if (this.held.length === 0 && this.fits(size)) this.post(data, size);
    else {
      this.held.push(data);
      this.heldBytes += size;
      this.stats.stalls++;
    }
    if (this.buffered > this.stats.maxBuffered) this.stats.maxBuffered = this.buffered;
  }

  close(reason: string): void {
    if (this.closed) return;
    // What the link wrote last (its bye) goes out even without credit: the peer reads up to it
    // and then stops reading anyway.
    for (const data of this.held) this.port.post(data);
    this.held = [];
    this.heldBytes = 0;
    this.port.post({ exchangeIpc: 'close', reason } satisfies Control);
    this.shut(reason);
  }

  // ---- sending -------------------------------------------------------------------------------

  private open(): void {
    const control: Control = { exchangeIpc: 'open', window: this.init.window, binary: this.binary };
    this.port.post(control);
  }

  /** A message fits if the window has room, or if nothing is in flight (it may be larger). */
  private fits(size: number): boolean {
    return (
      this.stats.window > 0 && (this.unacked === 0 || this.unacked + size <= this.stats.window)
    );
  }

  private post(data: string | Uint8Array, size: number): void {
    this.unacked += size;
    this.port.post(data);
  }

  /** Credit came back: send what waited for it, and tell the link there is room. */
  private credit(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    while (this.held.length > 0 && this.fits(sizeOf(this.held[0]))) {
      const data = this.held.shift()!;
      const size = sizeOf(data);
      this.heldBytes -= size;
      this.post(data, size);
    }
    this.onDrain();
  }

  // ---- receiving -----------------------------------------------------------------------------

  private receive(message: unknown): void {
    if (this.closed) return;
    if (typeof message === 'string' || message instanceof Uint8Array) return this.data(message);
    if (!isControl(message)) return; // the application's own messages on a shared channel
    switch (message.exchangeIpc) {
      case 'open':
        return this.opening(count(message.window), message.binary === true);
      case 'ack':
        return this.credit(count(message.bytes));
      case 'close':
        return this.gone(`closed by peer: ${message.reason}`);
    }
  }

  private opening(window: number, binary: boolean): void {
    this.stats.window = Math.max(1, window);
    if (this.init.answer) this.open();
    else this.binary = binary;
    this.settle?.resolve();
    this.settle = undefined;
  }

  private data(data: string | Uint8Array): void {
    if (this.stats.window === 0) {
      return this.close('BAD_FRAME: protocol data before the channel was opened');
    }
    this.onData(data);
    // The link has taken it: return the credit, at once once a quarter of the window is due.
    this.consumed += sizeOf(data);
    if (this.closed) return;
    if (this.consumed >= this.init.window / 4) this.ack();
    else this.ackTimer ??= unrefTimer(() => this.ack(), ACK_DELAY_MS);
  }

  private ack(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.closed || this.consumed === 0) return;
    this.port.post({ exchangeIpc: 'ack', bytes: this.consumed } satisfies Control);
    this.consumed = 0;
  }

  // ---- closing -------------------------------------------------------------------------------

  private gone(reason: string): void {
    if (this.closed) return;
    this.shut(reason);
  }

  private shut(reason: string): void {
    this.closed = true;
    clearTimeout(this.ackTimer);
    this.port.stop();
    this.settle?.reject(new ExchangeError('TRANSPORT_CLOSED', reason));
    this.settle = undefined;
    this.onClose(reason);
  }
}

/** A byte count from the other side: a number ≥ 0, or 0. */
function count(n: unknown): number {
  return typeof n === 'number' && n >= 0 && Number.isFinite(n) ? n : 0;
}

function sizeOf(data: string | Uint8Array): number {
  return typeof data === 'string' ? data.length : data.byteLength;
}

function isControl(message: unknown): message is Control {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { exchangeIpc?: unknown }).exchangeIpc === 'string'
  );
}

function unrefTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return timer;
}
