import {
  ExchangeError,
  toWireError,
  type EnvelopeBytes,
  type EnvelopeCodec,
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
  acknowledgements,
  chooseCodec,
  encodeBatches,
  heartbeatInterval,
  jsonCodec,
  peerLimits,
  type AckFrame,
  type Codec,
  type CodecName,
  type Limits,
  type WireFrame,
  type WireHello,
} from '../wire/index.js';
import type { Carrier } from './carrier.js';
import { decodeNoting, envelopeBytes, handedOn } from './envelope-spans.js';
import { ReplayBuffer } from './replay-buffer.js';
import { joinHeartbeats, leaveHeartbeats } from './heartbeat-clock.js';
import { sharedCodec } from './shared-codecs.js';

/** Options of a framed link (defaults in parentheses). */
export interface FramedLinkInit {
  /** The initiator offers codecs in its hello; the acceptor picks one in its own. */
  role: 'initiator' | 'acceptor';
  /** Codecs this side offers (initiator) or accepts (acceptor), preferred first. (CODECS) */
  codecs?: readonly CodecName[];
  /** Heartbeat interval this side proposes, in ms; 0 asks for none. (15,000) */
  heartbeat?: number;
  /** Largest transport message this side accepts, in bytes. (1 MiB) */
  maxBytes?: number;
  /** Most frames per transport message this side accepts. (1,024) */
  maxFrames?: number;
  /**
   * Frames held for the peer: during the handshake, while the carrier is backed up, and while a
   * reconnecting link has no connection; with acknowledgements, also the messages written and
   * not acknowledged yet (a window, as TCP's: a synchronous burst beyond it is refused until
   * acknowledgements come). Overflow policy: `send` refuses the newest frame (returns false),
   * and the exchange fails or reports that message (`send` throws CONGESTED). (10,000)
   */
  maxQueued?: number;
  /** Frames held (as for `maxQueued`) at which the exchange is told the link is congested. (maxQueued / 2) */
  highWater?: number;
  /** Bytes the carrier may hold unsent before the link stops writing to it. (4 MiB) */
  maxBuffered?: number;
  /**
   * Slow consumers: a peer that keeps the link full (it refuses frames: `maxQueued` reached)
   * for this many ms without draining below `highWater` is given up: the link says `bye` with
   * a `CONGESTED` error and closes, so its routes go and frames for it stop piling up; a
   * reconnecting peer comes back. 0: never. (acceptor: 10,000; initiator: 0)
   */
  slowConsumerTimeout?: number;
  /** The peer's hello must come within this many ms of the connection (spec §6). (10,000) */
  helloTimeout?: number;
  /** Keep the link open when the carrier goes; the transport brings a new one with `use`. */
  reconnecting?: boolean;
  /**
   * Acknowledgements (spec/protocol.md §5.6), used when the peer's hello announces them too:
   * this side acknowledges the messages it receives, and a reconnecting link keeps the messages
   * it wrote until they are acknowledged and writes them again, first, on its next connection
   * (none lost at a dropped connection; the receiver drops duplicates by message id). false:
   * neither (the behaviour of peers that predate them: what is written to a dying connection is
   * lost). (true)
   */
  acks?: boolean;
  /** Told when the carrier is lost while reconnecting (the transport reconnects). */
  onCarrierLost?: (reason: string) => void;
  /** Told when the link closes for good (the transport stops reconnecting). */
  onShut?: (reason: string) => void;
}

const HANDSHAKE_CODEC = jsonCodec();
const resolved = Promise.resolve();
/** A receiver acknowledges within this many ms what no count or outgoing batch acknowledged. */
const ACK_DELAY_MS = 20;
/**
 * A turn's frames go out in chunks of this many, not all at its end: the peer starts on the
 * first chunk while this side makes the next. With 100 requests in flight through a hub, whole
 * turns moved as one convoy and kept 1.15 of 2 cores busy; chunks of 32 kept 1.6 busy and
 * answered 1.4-1.6x the requests per second, with no loss on one-way streams (bench/README.md).
 */
const CHUNK_FRAMES = 32;
/** Most messages a reconnecting link lets go unacknowledged before the peer must acknowledge. */
const MAX_ACK_EVERY = 256;

/**
 * A link over any carrier of whole messages: the wire protocol's handshake (JSON hellos, codec
 * choice, limits), coalescing (frames queued in one turn go out as few messages as the peer's
 * limits allow), backpressure, heartbeats and close. The WebSocket, TCP and IPC transports are
 * this plus a carrier.
 */
export class FramedLink implements Link {
  state: LinkState = 'open';
  onFrame: (frame: Frame, bytes?: EnvelopeBytes) => void = () => {};
  onClose: (reason: string) => void = () => {};
  onCongested: (congested: boolean) => void = () => {};
  onReconnect?: () => void;
  onUndeliverable?: (frame: Frame, error: Error) => void;

  /** The peer's hello on the current connection, held from its arrival to the handshake's end. */
  private peerHello: HelloFrame | undefined;
  /** The peer's hello came on the current connection. */
  private greeted = false;
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
  /** The heartbeat interval this link beats at in the heartbeat clock (0: not in it). */
  private heartbeatEvery = 0;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;
  private lastReceived = 0;
  private lastSent = 0;
  private pings = 0;
  /** Messages written on this connection and not acknowledged yet (when the peer acknowledges). */
  private readonly replay = new ReplayBuffer();
  /** The peer acknowledges what this side writes, on this connection. */
  private replaying = false;
  /** Our hello's `acks`: absent (no acknowledgements), 0 (we ask for none), or how often. */
  private readonly ourAcks: number | undefined;
  /** The peer asked to be acknowledged every this many messages; 0: we send no acks. */
  private ackEvery = 0;
  /** `msg` frames received on this connection, and the count we last acknowledged. */
  private received = 0;
  private acknowledged = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  /** Reused: an ack is encoded as soon as it is queued (made on the first). */
  private ackFrame: AckFrame | undefined;
  /** Frames the current write left out (too large, not encodable): not written, not replayed. */
  private skipped: Frame[] | undefined;
  private resentCount = 0;
  /** Slow-consumer clock: runs from the first frame refused while full until the link drains. */
  private slowTimer: ReturnType<typeof setTimeout> | undefined;
  private refusedWhileFull = 0;
  private readonly slowConsumerTimeout: number;
  private readonly offered: readonly CodecName[];
  private readonly maxQueued: number;
  private readonly highWater: number;
  private readonly maxBuffered: number;

  constructor(private readonly init: FramedLinkInit) {
    this.offered = init.codecs ?? CODECS;
    this.maxQueued = init.maxQueued ?? 10_000;
    this.highWater = init.highWater ?? Math.max(1, this.maxQueued >> 1);
    this.maxBuffered = init.maxBuffered ?? 4 * 1024 * 1024;
    this.slowConsumerTimeout = init.slowConsumerTimeout ?? (init.role === 'acceptor' ? 10_000 : 0);
    this.ourAcks =
      init.acks === false
        ? undefined
        : init.reconnecting
          ? Math.max(1, Math.min(MAX_ACK_EVERY, this.maxQueued >> 3))
          : 0;
  }

  /** Start on a connection (again, for a reconnecting link: the handshake starts over). */
  use(carrier: Carrier): void {
    if (this.state === 'closed') return carrier.close('link closed');
    const again = this.connections++ > 0;
    if (again) this.requeueUnacknowledged();
    this.carrier = carrier;
    this.resetConnection();
    carrier.onData = (data) => this.receive(data);
    carrier.onClose = (reason) => this.lost(carrier, reason);
    carrier.onDrain = () => this.drained();
    this.lastReceived = Date.now();
    const wait = this.init.helloTimeout ?? 10_000;
    this.helloTimer = setTimeout(() => {
      if (this.carrier !== carrier || this.greeted) return;
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
      const canSay = this.carrier && (this.init.role === 'initiator' || this.greeted);
      if (canSay && !this.helloSent) this.writeHello();
      return true;
    }
    // Unacknowledged messages count: they are held until the peer has them.
    const held = this.queue.length + this.replay.size;
    if (held >= this.maxQueued) return this.full();
    this.queue.push(frame);
    if (!this.congested && held + 1 >= this.highWater) {
      this.congested = true;
      this.onCongested(true);
    }
    if (!this.ready) return true;
    // A chunk goes now (a long synchronous burst must not wait for the turn to end, or the
    // queue's bound would be a limit on burst size); the rest on the next microtask.
    if (this.queue.length >= this.limits.maxFrames || this.queue.length >= CHUNK_FRAMES)
      this.flush();
    else this.scheduleFlush();
    return true;
  }

  /** A frame refused: the queue is full. A peer that keeps it so is a slow consumer. */
  private full(): false {
    this.refusedWhileFull++;
    if (this.slowTimer === undefined && this.slowConsumerTimeout > 0 && this.ready) {
      this.slowTimer = setTimeout(() => this.slowConsumer(), this.slowConsumerTimeout);
      unref(this.slowTimer);
    }
    return false;
  }

  private slowConsumer(): void {
    this.slowTimer = undefined;
    if (this.state === 'closed' || !this.congested) return;
    const ms = this.slowConsumerTimeout;
    const refused = this.refusedWhileFull;
    const error = new ExchangeError(
      'CONGESTED',
      `slow consumer: the link to this peer stayed full for ${ms} ms (${refused} frames refused)`,
      { data: { timeoutMs: ms, refused } },
    );
    this.close(`${error.code}: ${error.message}`, toWireError(error));
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void resolved.then((this.flushTask ??= () => this.flush()));
  }

  /** Made on the first flush and kept: a flush per turn allocates no closure. */
  private flushTask: (() => void) | undefined;

  close(reason = 'closed', error?: WireError): void {
    if (this.state === 'closed') return;
    const bye: Frame = error ? { t: 'bye', reason, error } : { t: 'bye', reason };
    // A graceful close sends what was already accepted first (a refusal sends nothing else).
    if (this.ready && this.carrier) this.write(error ? [bye] : [...this.queue, bye]);
    // Before the handshake, only a refusal closes: it goes in the handshake's JSON.
    else if (this.greeted && this.carrier) this.carrier.write(HANDSHAKE_CODEC.encode([bye]));
    this.shut(reason);
  }

  /** The codec's envelope writer and reader, once the handshake chose a codec that has them. */
  get envelopeCodec(): EnvelopeCodec | undefined {
    const codec = this.codec;
    if (!this.ready || codec.writeEnvelope === undefined || codec.readEnvelope === undefined)
      return undefined;
    return codec as EnvelopeCodec;
  }

  /** A handler may close the link while a batch is being delivered. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Frames waiting to be written (with a lost connection's unacknowledged ones, put back). */
  get queued(): number {
    return this.queue.length;
  }

  /** Messages written on this connection that the peer has not acknowledged yet. */
  get unacknowledged(): number {
    return this.replay.size;
  }

  /** Messages written to connections that were lost before acknowledging them, sent again. */
  get resent(): number {
    return this.resentCount;
  }

  // ---- handshake -----------------------------------------------------------------------------

  private writeHello(): void {
    const hello: WireHello = {
      ...this.ourHello!,
      protocol: PROTOCOL_VERSION,
      maxBytes: this.init.maxBytes ?? 1_048_576,
      maxFrames: this.init.maxFrames ?? 1024,
      heartbeat: this.init.heartbeat ?? 15_000,
    };
    const usable: readonly CodecName[] = this.carrier!.binary
      ? this.offered
      : this.offered.filter((c) => c === 'json');
    if (this.ourAcks !== undefined) hello.acks = this.ourAcks;
    if (this.init.role === 'initiator') hello.codecs = [...usable];
    const chosen =
      this.init.role === 'acceptor' ? chooseCodec(this.peerHello!.codecs, usable) : undefined;
    if (chosen !== undefined) hello.codec = chosen;
    this.carrier!.write(HANDSHAKE_CODEC.encode([hello]));
    this.helloSent = true;
    this.ourHello = undefined;
    this.lastSent = Date.now();
    if (chosen !== undefined) this.handshakeDone(chosen);
  }

  private receiveHello(frames: WireFrame[]): void {
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
    this.greeted = true;
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.limits = peerLimits(hello);
    this.negotiateAcks(hello);
    if (this.init.role === 'initiator') {
      this.handshakeDone(acceptCodec(this.offered, hello.codec));
      return this.onFrame(hello);
    }
    // The acceptor's exchange sees the hello first: it may refuse the peer (a taken id), and
    // then no hello goes back, only the refusal.
    this.onFrame(hello);
    if (!this.isClosed() && this.ourHello && !this.helloSent) this.writeHello();
  }

  private negotiateAcks(peer: WireHello): void {
    const { every, acknowledged } = acknowledgements(this.ourAcks, peer.acks);
    this.ackEvery = every;
    this.replaying = acknowledged;
  }

  private handshakeDone(codec: CodecName): void {
    this.codec = sharedCodec(codec, this.init.maxBytes ?? 1_048_576, this.init.maxFrames ?? 1024);
    this.ready = true;
    this.startHeartbeat();
    // Both hellos are done with: a hub holds thousands of links (their adverts can be long).
    this.peerHello = undefined;
    if (this.queue.length > 0) this.flush();
  }

  // ---- receiving -----------------------------------------------------------------------------

  private receive(data: string | Uint8Array): void {
    if (this.state === 'closed') return;
    this.lastReceived = Date.now();
    this.pings = 0;
    try {
      if (!this.greeted) return this.receiveHello(HANDSHAKE_CODEC.decode(data));
      const frames = decodeNoting(this.codec, data);
      let whole: boolean;
      try {
        whole = this.handOn(frames);
      } finally {
        handedOn(frames);
      }
      if (whole && this.ackEvery > 0 && this.received > this.acknowledged) this.oweAck();
    } catch (e) {
      this.protocolError(e);
    }
  }

  /** Hand the frames of a batch on; false if the connection ended partway. */
  private handOn(frames: WireFrame[]): boolean {
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if (this.isClosed()) return false;
      switch (frame.t) {
        case 'ping':
          this.send({ t: 'pong', ...(frame.n === undefined ? {} : { n: frame.n }) });
          break;
        case 'pong':
          break;
        case 'bye':
          // A bye without an error is the peer going away (a restart), and one with
          // CONGESTED gave up on this side as a slow consumer for now: a reconnecting link
          // comes back. One with another error (a refusal) would only be refused again.
          if (this.init.reconnecting && (!frame.error || frame.error.code === 'CONGESTED')) {
            const why = frame.error ? `${frame.error.code}: ${frame.error.message}` : frame.reason;
            this.carrier?.close(`peer went away: ${why ?? 'bye'}`);
            return false;
          }
          this.shut(frame.reason ?? 'peer said bye', true);
          return false;
        case 'hello':
          throw new ExchangeError('BAD_FRAME', 'a second hello on one connection');
        case 'msg':
          this.received++;
          this.onFrame(frame, envelopeBytes(frames, i));
          break;
        case 'adv':
          this.onFrame(frame);
          break;
        case 'ack':
          this.acknowledge(frame.n);
      }
    }
    return true;
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

  // ---- acknowledgements (spec/protocol.md §5.6) ----------------------------------------------

  /**
   * Received messages are not acknowledged yet: say so now if the peer's count is reached (the
   * ack goes in the next batch), else within ACK_DELAY_MS (unless a batch takes it sooner).
   */
  private oweAck(): void {
    if (this.received - this.acknowledged >= this.ackEvery) return this.scheduleFlush();
    if (this.ackTimer !== undefined) return;
    this.ackTimer = setTimeout((this.ackDue ??= () => this.ackTimerFired()), ACK_DELAY_MS);
    unref(this.ackTimer);
  }

  /**
   * The ack timer fired. A batch may have taken the ack since: the timer is left to run rather
   * than cleared and set again per message (a request and its reply would cost two each); what
   * arrived after that batch is acknowledged now, and anything newer starts the next timer.
   */
  private ackTimerFired(): void {
    this.ackTimer = undefined;
    if (this.received > this.acknowledged) this.flush();
  }

  /** The ack timer's callback, made on the first use (links that never acknowledge: none). */
  private ackDue: (() => void) | undefined;

  /** The ack to add to the batch being written, if one is owed. */
  private takeAck(): AckFrame | undefined {
    if (this.ackEvery === 0 || this.received === this.acknowledged) return undefined;
    this.acknowledged = this.received;
    const frame = (this.ackFrame ??= { t: 'ack', n: 0 });
    frame.n = this.received;
    return frame;
  }

  /** The peer has the first `n` messages written on this connection. */
  private acknowledge(n: number): void {
    if (!this.replaying)
      throw new ExchangeError('BAD_FRAME', 'an ack, but this side asked for no acknowledgements');
    if (!this.replay.acknowledge(n)) {
      throw new ExchangeError(
        'BAD_FRAME',
        `an ack of ${n} messages; ${this.replay.size} of those written are unacknowledged`,
      );
    }
    this.uncongest();
  }

  /** A lost connection's unacknowledged messages go first on the next one, in order. */
  private requeueUnacknowledged(): void {
    const unacked = this.replay.takeAll();
    if (unacked.length === 0) return;
    this.resentCount += unacked.length;
    this.queue = unacked.concat(this.queue);
  }

  // ---- sending -------------------------------------------------------------------------------

  private flush(): void {
    this.scheduled = false;
    const carrier = this.carrier;
    if (!this.ready || !carrier || this.waitingForDrain) return;
    const owed = this.ackEvery > 0 && this.received > this.acknowledged;
    if (this.queue.length === 0 && !owed) return;
    if (carrier.buffered > this.maxBuffered) return this.waitForDrain();
    const frames: WireFrame[] = this.queue;
    this.queue = [];
    // Piggybacked: an ack owed rides in whatever batch goes next.
    const ack = this.takeAck();
    if (ack) frames.push(ack);
    this.write(frames);
    this.uncongest();
  }

  private uncongest(): void {
    if (this.congested && this.queue.length + this.replay.size < this.highWater) {
      this.congested = false;
      this.clearSlowConsumer();
      this.onCongested(false);
    }
  }

  private clearSlowConsumer(): void {
    clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
    this.refusedWhileFull = 0;
  }

  private write(frames: WireFrame[]): void {
    const carrier = this.carrier!;
    const write = (this.carrierWrite ??= (data) => {
      this.writing = true;
      this.carrier!.write(data);
      this.writing = false;
    });
    const tooLarge = (this.tooLarge ??= (frame, bytes) =>
      this.undeliverable(
        frame,
        new ExchangeError(
          'TOO_LARGE',
          `a frame of ${bytes} bytes is over the peer's limit of ${this.limits.maxBytes}`,
        ),
      ));
    try {
      encodeBatches(this.codec, frames, this.limits, tooLarge, write);
    } catch (e) {
      // The carrier's own failure goes up as it did (what it took stays taken).
      if (this.writing) {
        this.writing = false;
        throw e;
      }
      // A value the codec cannot encode (nothing was written): the rest go one frame at a
      // time, to find it. A frame too large is reported once, here or in the first attempt.
      const messages: (string | Uint8Array)[] = [];
      const keep = (data: string | Uint8Array) => void messages.push(data);
      const tooLargeOnce = (frame: WireFrame, bytes: number) => {
        if (!this.skipped?.includes(frame as Frame)) tooLarge(frame, bytes);
      };
      for (const frame of frames) {
        try {
          encodeBatches(this.codec, [frame], this.limits, tooLargeOnce, keep);
        } catch (e) {
          this.undeliverable(frame, e instanceof Error ? e : new Error(String(e)));
        }
      }
      for (const m of messages) carrier.write(m);
    }
    this.lastSent = Date.now();
    if (this.replaying) this.replay.written(frames, this.skipped);
    this.skipped = undefined;
  }

  /** Made on the first write and kept: a write allocates no closure. */
  private carrierWrite: ((data: string | Uint8Array) => void) | undefined;
  /** The carrier is writing (an error thrown now is the carrier's, not the codec's). */
  private writing = false;
  private tooLarge: ((frame: WireFrame, bytes: number) => void) | undefined;

  private undeliverable(frame: WireFrame, error: Error): void {
    if (frame.t === 'ack') return; // a few bytes: never too large, always encodable
    (this.skipped ??= []).push(frame);
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
    this.stopHeartbeat();
    if (interval === 0) return;
    this.heartbeatEvery = interval;
    joinHeartbeats(this, interval);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatEvery > 0) leaveHeartbeats(this, this.heartbeatEvery);
    this.heartbeatEvery = 0;
  }

  /**
   * Ping after a quiet interval; give the peer up after two (spec/protocol.md, Heartbeats).
   * The heartbeat clock calls it once per interval.
   */
  beat(interval: number): void {
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
      this.requeueUnacknowledged();
      this.resetConnection();
      this.init.onCarrierLost?.(reason);
      return;
    }
    this.shut(reason);
  }

  private resetConnection(): void {
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.ready = false;
    this.helloSent = false;
    this.peerHello = undefined;
    this.greeted = false;
    this.codec = HANDSHAKE_CODEC;
    this.waitingForDrain = false;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.stopHeartbeat();
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.clearSlowConsumer();
    this.replaying = false;
    this.ackEvery = 0;
    this.received = 0;
    this.acknowledged = 0;
  }

  private shut(reason: string, byPeer = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue = [];
    this.replay.takeAll();
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
