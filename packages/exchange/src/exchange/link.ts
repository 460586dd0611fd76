import type { Envelope } from './envelope.js';
import type { WireError } from './errors.js';

/** A route advertisement: kind (`h` handles, `o` observes, `n` an exchange id), pattern, distance. */
export interface Advert {
  k: 'h' | 'o' | 'n';
  p: string;
  /** Hops from the advertiser (0: it is the handler/observer/exchange itself); null withdraws. */
  d: number | null;
}

/** Delivery duties a forwarded copy carries: H = deliver to one handler, O = to observers. */
export const MODE_HANDLER = 1;
export const MODE_OBSERVE = 2;

/**
 * What exchanges say to each other over a link; spec/protocol.md gives the wire form. `ping`,
 * `pong` and the hello's optional fields belong to wire transports (handshake, heartbeats,
 * codec choice); an in-process link never sends them.
 */
export type Frame =
  | HelloFrame
  | { t: 'adv'; adverts: Advert[] }
  | { t: 'msg'; env: Envelope; mode: number }
  | { t: 'ping'; n?: number }
  | { t: 'pong'; n?: number }
  | { t: 'bye'; reason?: string; error?: WireError };

/** The first frame each side sends (spec/protocol.md, "Handshake"). */
export interface HelloFrame {
  t: 'hello';
  /** The sender's exchange id. */
  id: string;
  /**
   * Which run of that exchange this is (unique per process and start). A hello with a connected
   * id and the same instance is that exchange reconnecting: the new connection replaces the old.
   * A different (or no) instance is a second exchange with a taken id, and is refused.
   */
  instance?: string;
  /** The protocol version the sender speaks. */
  protocol: number;
  /** What the sender can reach: handlers, observers, exchange ids, with distances. */
  adverts: Advert[];
  /** Initiator only: codecs it accepts, preferred first; absent means `['json']`. */
  codecs?: string[];
  /** Acceptor only: the codec both sides use after the hellos; absent means `json`. */
  codec?: string;
  /** Proof of identity, checked by a security layer; its shape is that layer's business. */
  credentials?: Record<string, unknown>;
  /** Heartbeat interval the sender proposes, in ms; 0: it asks for none (the peer may). */
  heartbeat?: number;
  /** Largest transport message, in bytes, the sender accepts. */
  maxBytes?: number;
  /** Most frames per transport message the sender accepts. */
  maxFrames?: number;
  /** The sender's implementation and version, for logs (`exchange-js/0.1.0`). */
  agent?: string;
  /**
   * The sender is a leaf on this connection: it relays for no one and sends whatever it cannot
   * deliver itself to this peer, so this peer tells it no routes learned from other leaves.
   */
  leaf?: boolean;
}

export type LinkState = 'open' | 'closed';

/**
 * Where a received envelope lies in the transport message it came in, and how to read it again
 * from a copy of those bytes. Valid only during the `onFrame` call it comes with: the link
 * reuses the object, and `data` may be reused by the transport after.
 */
export interface EnvelopeBytes {
  data: Uint8Array;
  /** The envelope is bytes [start, end) of `data`. */
  start: number;
  end: number;
  /**
   * Decode a copy of those bytes into the envelope as it arrived (before this side's hop), or
   * as it was sent (`sent`).
   */
  read: (bytes: Uint8Array) => Envelope;
  /**
   * The bytes are the envelope as this side sent it, its own hop included (see
   * `Link.envelopeCodec`): read back, it needs nothing added.
   */
  sent?: boolean;
}

/** How a link's codec writes one envelope as bytes, and reads such bytes back. */
export interface EnvelopeCodec {
  /** The envelope's bytes, or undefined if it holds values the codec must convert first. */
  readonly writeEnvelope: (env: Envelope) => Uint8Array | undefined;
  readonly readEnvelope: (bytes: Uint8Array) => Envelope;
}

/**
 * One connection to one peer: the contract every transport implements. The exchange sets the
 * `on*` callbacks; the transport calls them. `send` returns false when the frame was NOT
 * accepted because the link's bounded queue is full (the exchange then reports it as dropped or
 * fails the request with CONGESTED); `onCongested(true)` fires when the queue crosses its
 * high-water mark and `onCongested(false)` once it drains below it. A frame passed to `onFrame`
 * belongs to the receiver, which may change it (it appends its hop to a message's trace): a
 * transport that does not decode a fresh copy (the in-process one) must pass a copy. `send`
 * takes the frame object itself: a sender makes a new one for each call.
 */
export interface Link {
  readonly state: LinkState;
  send(frame: Frame): boolean;
  /** Close; with `error`, the peer is told it was refused (a reconnecting peer then gives up). */
  close(reason?: string, error?: WireError): void;
  /**
   * A frame arrived. With `bytes`, a `msg` frame's envelope as it arrived, which the message
   * log copies instead of keeping the envelope's objects (see EnvelopeBytes).
   */
  onFrame: (frame: Frame, bytes?: EnvelopeBytes) => void;
  /**
   * The codec this link writes envelopes with, if it can write one alone as bytes: the exchange
   * logs what it sends over the link as those bytes, as it logs what arrives (a log of a
   * requester's own envelopes had V8 promote each of them, and collect them again in bursts).
   */
  readonly envelopeCodec?: EnvelopeCodec | undefined;
  onClose: (reason: string) => void;
  onCongested: (congested: boolean) => void;
  /**
   * Links that survive a lost connection (a reconnecting client) call this once a new connection
   * is up: the exchange answers by sending a fresh hello (the peer may have forgotten it), and
   * the peer's hello that follows replaces what was learned from it before.
   */
  onReconnect?: () => void;
  /**
   * A frame the link accepted but could not deliver (too large for the peer, or its value cannot
   * be encoded): the exchange reports the message dropped and fails a request with `error`.
   */
  onUndeliverable?: (frame: Frame, error: Error) => void;
}
