import {
  ExchangeError,
  toWireError,
  type Frame,
  type HelloFrame,
  type Link,
  type LinkState,
  type WireError,
} from '../exchange/index.js';
import {
  CODECS,
  PROTOCOL_VERSION,
  acceptCodec,
  chooseCodec,
  createCodec,
  encodeBatches,
  heartbeatInterval,
  jsonCodec,
  peerLimits,
  type Codec,
  type CodecName,
  type Limits,
} from '../wire/index.js';
import type { Carrier } from './carrier.js';

/** Options of a framed link (defaults in parentheses). */
export interface FramedLinkInit {
  /** The initiator offers codecs in its hello; the acceptor picks one in its own. */
  role: 'initiator' | 'acceptor';
  /** Codecs this side offers (initiator) or accepts (acceptor), preferred first. (json, msgpack) */
  codecs?: readonly CodecName[];
  /** Heartbeat interval this side proposes, in ms; 0 asks for none. (15,000) */
  heartbeat?: number;
  /** Largest transport message this side accepts, in bytes. (1 MiB) */
  maxBytes?: number;
  /** Most frames per transport message this side accepts. (1,024) */
  maxFrames?: number;
  /**
   * Frames held for the peer: during the handshake, while the carrier is backed up, and while a
   * reconnecting link has no connection. Overflow policy: `send` refuses the newest frame
   * (returns false), and the exchange fails or reports that message. (10,000)
   */
  maxQueued?: number;
  /** Queue length at which the exchange is told the link is congested. (maxQueued / 2) */
  highWater?: number;
  /** Bytes the carrier may hold unsent before the link stops writing to it. (4 MiB) */
  maxBuffered?: number;
  /** The peer's hello must come within this many ms of the connection (spec §6). (10,000) */
  helloTimeout?: number;
  /** Keep the link open when the carrier goes; the transport brings a new one with `use`. */
  reconnecting?: boolean;
  /** Told when the carrier is lost while reconnecting (the transport reconnects). */
  onCarrierLost?: (reason: string) => void;
  /** Told when the link closes for good (the transport stops reconnecting). */
  onShut?: (reason: string) => void;
}

const HANDSHAKE_CODEC = jsonCodec();
const resolved = Promise.resolve();

/**
 * A link over any carrier of whole messages: the wire protocol's handshake (JSON hellos, codec
 * choice, limits), coalescing (frames queued in one turn go out as few messages as the peer's
 * limits allow), backpressure, heartbeats and close. The WebSocket, TCP and IPC transports are
 * this plus a carrier.
 */
export class FramedLink implements Link {
  state: LinkState = 'open';
  onFrame: (frame: Frame) => void = () => {};
  onClose: (reason: string) => void = () => {};
  onCongested: (congested: boolean) => void = () => {};
  onReconnect?: () => void;
  onUndeliverable?: (frame: Frame, error: Error) => void;

  /** The peer's hello on the current connection, once it came. */
  peerHello: HelloFrame | undefined;
  private carrier: Carrier | undefined;
  private codec: Codec = HANDSHAKE_CODEC;
  private limits: Limits = { maxBytes: 65_536, maxFrames: 1 };
  private ready = false;
  private connections = 0;
  private helloSent = false;
  private ourHello: HelloFrame | undefined;
  private queue: Frame[] = [];
  private scheduled = false;
  private congested = false;
  private waitingForDrain = false;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;
  private lastReceived = 0;
  private lastSent = 0;
  private pings = 0;
  private readonly offered: readonly CodecName[];
  private readonly maxQueued: number;
  private readonly highWater: number;
  private readonly maxBuffered: number;

  constructor(private readonly init: FramedLinkInit) {
    this.offered = init.codecs ?? CODECS;
    this.maxQueued = init.maxQueued ?? 10_000;
    this.highWater = init.highWater ?? Math.max(1, this.maxQueued >> 1);
    this.maxBuffered = init.maxBuffered ?? 4 * 1024 * 1024;
  }

  /** Start on a connection (again, for a reconnecting link: the handshake starts over). */
  use(carrier: Carrier): void {
    if (this.state === 'closed') return carrier.close('link closed');
    const again = this.connections++ > 0;
    this.carrier = carrier;
    this.resetConnection();
    carrier.onData = (data) => this.receive(data);
    carrier.onClose = (reason) => this.lost(carrier, reason);
    carrier.onDrain = () => this.drained();
    this.lastReceived = Date.now();
    const wait = this.init.helloTimeout ?? 10_000;
    this.helloTimer = setTimeout(() => {
      if (this.carrier !== carrier || this.peerHello) return;
      const error = new ExchangeError('TIMEOUT', `no hello from the peer within ${wait} ms`);
      // A reconnecting link tries another connection; others give the peer up.
      if (this.init.reconnecting) carrier.close(error.message);
      else this.protocolError(error);
    }, wait);
    unref(this.helloTimer);
    if (again) {
      // The peer starts from nothing: a fresh hello from the exchange, and no stale adverts.
      this.queue = this.queue.filter((f) => f.t === 'msg');
      this.ourHello = undefined;
      this.onReconnect?.();
    }
    if (this.ourHello && !this.helloSent && this.init.role === 'initiator') this.writeHello();
  }

  send(frame: Frame): boolean {
    if (this.state === 'closed') return false;
    if (frame.t === 'hello') {
      this.ourHello = frame;
      const canSay = this.carrier && (this.init.role === 'initiator' || this.peerHello);
      if (canSay && !this.helloSent) this.writeHello();
      return true;
    }
    if (this.queue.length >= this.maxQueued) return false;
    this.queue.push(frame);
    if (!this.congested && this.queue.length >= this.highWater) {
      this.congested = true;
      this.onCongested(true);
    }
    if (!this.ready) return true;
    // A full batch goes now (a long synchronous burst must not wait for the turn to end, or
    // the queue's bound would be a limit on burst size); the rest on the next microtask.
    if (this.queue.length >= this.limits.maxFrames) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      void resolved.then(() => this.flush());
    }
    return true;
  }

  close(reason = 'closed', error?: WireError): void {
    if (this.state === 'closed') return;
    const bye: Frame = error ? { t: 'bye', reason, error } : { t: 'bye', reason };
    // A graceful close sends what was already accepted first (a refusal sends nothing else).
    if (this.ready && this.carrier) this.write(error ? [bye] : [...this.queue, bye]);
    // Before the handshake, only a refusal closes: it goes in the handshake's JSON.
    else if (this.peerHello && this.carrier) this.carrier.write(HANDSHAKE_CODEC.encode([bye]));
    this.shut(reason);
  }

  /** A handler may close the link while a batch is being delivered. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Frames waiting to be written. */
  get queued(): number {
    return this.queue.length;
  }

  // ---- handshake -----------------------------------------------------------------------------

  private writeHello(): void {
    const hello: HelloFrame = {
      ...this.ourHello!,
      protocol: PROTOCOL_VERSION,
      maxBytes: this.init.maxBytes ?? 1_048_576,
      maxFrames: this.init.maxFrames ?? 1024,
      heartbeat: this.init.heartbeat ?? 15_000,
    };
    const usable: readonly CodecName[] = this.carrier!.binary
      ? this.offered
      : this.offered.filter((c) => c === 'json');
    if (this.init.role === 'initiator') hello.codecs = [...usable];
    const chosen =
      this.init.role === 'acceptor' ? chooseCodec(this.peerHello!.codecs, usable) : undefined;
    if (chosen !== undefined) hello.codec = chosen;
    this.carrier!.write(HANDSHAKE_CODEC.encode([hello]));
    this.helloSent = true;
    this.lastSent = Date.now();
    if (chosen !== undefined) this.handshakeDone(chosen);
  }

  private receiveHello(frames: Frame[]): void {
    const hello = frames[0];
    if (hello.t === 'bye') {
      const why = hello.error ? `${hello.error.code}: ${hello.error.message}` : hello.reason;
      return this.shut(why ?? 'refused', true);
    }
    if (frames.length !== 1 || hello.t !== 'hello')
      throw new ExchangeError('BAD_FRAME', 'the first message must be a hello, alone');
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new ExchangeError(
        'VERSION_MISMATCH',
        `peer speaks protocol ${hello.protocol}; this side speaks ${PROTOCOL_VERSION}`,
      );
    }
    this.peerHello = hello;
    clearTimeout(this.helloTimer);
    this.limits = peerLimits(hello);
    if (this.init.role === 'initiator') {
      this.handshakeDone(acceptCodec(this.offered, hello.codec));
      return this.onFrame(hello);
    }
    // The acceptor's exchange sees the hello first: it may refuse the peer (a taken id), and
    // then no hello goes back, only the refusal.
    this.onFrame(hello);
    if (!this.isClosed() && this.ourHello && !this.helloSent) this.writeHello();
  }

  private handshakeDone(codec: CodecName): void {
    this.codec = createCodec(codec, {
      maxBytes: this.init.maxBytes ?? 1_048_576,
      maxFrames: this.init.maxFrames ?? 1024,
    });
    this.ready = true;
    this.startHeartbeat();
    if (this.queue.length > 0) this.flush();
  }

  // ---- receiving -----------------------------------------------------------------------------

  private receive(data: string | Uint8Array): void {
    if (this.state === 'closed') return;
    this.lastReceived = Date.now();
    this.pings = 0;
    try {
      if (!this.peerHello) return this.receiveHello(HANDSHAKE_CODEC.decode(data));
      const frames = this.codec.decode(data);
      for (const frame of frames) {
        if (this.isClosed()) return;
        switch (frame.t) {
          case 'ping':
            this.send({ t: 'pong', ...(frame.n === undefined ? {} : { n: frame.n }) });
            break;
          case 'pong':
            break;
          case 'bye':
            // A bye without an error is the peer going away (a restart): a reconnecting link
            // comes back. One with an error (a refusal) would only be refused again.
            if (this.init.reconnecting && frame.error === undefined)
              return this.carrier?.close(`peer went away: ${frame.reason ?? 'bye'}`);
            return this.shut(frame.reason ?? 'peer said bye', true);
          case 'hello':
            throw new ExchangeError('BAD_FRAME', 'a second hello on one connection');
          case 'adv':
          case 'msg':
            this.onFrame(frame);
        }
      }
    } catch (e) {
      this.protocolError(e);
    }
  }

  /** Bad input from the peer: tell it why (best effort) and drop the connection. */
  private protocolError(e: unknown): void {
    const error =
      e instanceof ExchangeError ? e : new ExchangeError('BAD_FRAME', String(e), { cause: e });
    const reason = `${error.code}: ${error.message}`;
    try {
      this.carrier?.write(
        HANDSHAKE_CODEC.encode([{ t: 'bye', reason, error: toWireError(error) }]),
      );
    } catch {
      // The connection may be gone already; closing is what matters.
    }
    this.shut(reason, true);
  }

  // ---- sending -------------------------------------------------------------------------------

  private flush(): void {
    this.scheduled = false;
    const carrier = this.carrier;
    if (!this.ready || !carrier || this.queue.length === 0 || this.waitingForDrain) return;
    if (carrier.buffered > this.maxBuffered) return this.waitForDrain();
    const frames = this.queue;
    this.queue = [];
    this.write(frames);
    if (this.congested && this.queue.length < this.highWater) {
      this.congested = false;
      this.onCongested(false);
    }
  }

  private write(frames: Frame[]): void {
    const carrier = this.carrier!;
    let messages: (string | Uint8Array)[];
    try {
      messages = encodeBatches(this.codec, frames, this.limits, (frame, bytes) =>
        this.undeliverable(
          frame,
          new ExchangeError(
            'TOO_LARGE',
            `a frame of ${bytes} bytes is over the peer's limit of ${this.limits.maxBytes}`,
          ),
        ),
      );
    } catch {
      // A value the codec cannot encode: send the rest, one frame at a time, to find it.
      messages = [];
      for (const frame of frames) {
        try {
          messages.push(...encodeBatches(this.codec, [frame], this.limits, () => {}));
        } catch (e) {
          this.undeliverable(frame, e instanceof Error ? e : new Error(String(e)));
        }
      }
    }
    for (const m of messages) carrier.write(m);
    this.lastSent = Date.now();
  }

  private undeliverable(frame: Frame, error: Error): void {
    this.onUndeliverable?.(frame, error);
  }

  private waitForDrain(): void {
    this.waitingForDrain = true;
    // Carriers that cannot signal a drain are polled.
    this.drainTimer ??= setTimeout(() => this.drained(), 5);
    unref(this.drainTimer);
  }

  private drained(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.flush();
  }

  // ---- liveness ------------------------------------------------------------------------------

  private startHeartbeat(): void {
    const interval = heartbeatInterval(this.init.heartbeat, this.peerHello?.heartbeat);
    clearInterval(this.heartbeatTimer);
    if (interval === 0) return;
    this.heartbeatTimer = setInterval(() => this.beat(interval), interval);
    unref(this.heartbeatTimer);
  }

  /** Ping after a quiet interval; give the peer up after two (spec/protocol.md, Heartbeats). */
  private beat(interval: number): void {
    const quiet = Date.now() - this.lastReceived;
    if (quiet >= 2 * interval) {
      return this.carrier?.close(`no frame from the peer for ${quiet} ms (heartbeat)`);
    }
    if (quiet >= interval || Date.now() - this.lastSent >= interval) {
      this.send({ t: 'ping', n: ++this.pings });
    }
  }

  // ---- closing -------------------------------------------------------------------------------

  /** The carrier went away. A reconnecting link waits for the next one; others close. */
  private lost(carrier: Carrier, reason: string): void {
    if (carrier !== this.carrier) return;
    if (this.init.reconnecting && this.state === 'open') {
      this.carrier = undefined;
      this.resetConnection();
      this.init.onCarrierLost?.(reason);
      return;
    }
    this.shut(reason);
  }

  private resetConnection(): void {
    clearTimeout(this.helloTimer);
    this.ready = false;
    this.helloSent = false;
    this.peerHello = undefined;
    this.codec = HANDSHAKE_CODEC;
    this.waitingForDrain = false;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private shut(reason: string, byPeer = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue = [];
    const carrier = this.carrier;
    this.carrier = undefined;
    this.resetConnection();
    carrier?.close(byPeer ? `closed by peer: ${reason}` : reason);
    this.init.onShut?.(reason);
    this.onClose(reason);
  }
}

/** Node keeps the process alive for a timer unless told not to; browsers have no such thing. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
