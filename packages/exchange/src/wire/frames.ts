/**
 * Frames that belong to the wire and never reach an exchange: what the framed link says to its
 * peer about the connection itself. The exchange's frames (`Frame`) are the rest of the protocol.
 */
import type { Frame, HelloFrame } from '../exchange/index.js';

/**
 * A cumulative acknowledgement (spec/protocol.md §5.6): the sender has received the first `n`
 * `msg` frames the peer sent on this connection. Sent only to a peer whose hello asked for
 * acknowledgements (`acks` ≥ 1) by a side whose hello announced them (`acks` present).
 */
export interface AckFrame {
  t: 'ack';
  /** How many `msg` frames of this connection have arrived, counted from 1 after the hellos. */
  n: number;
}

/** Every frame a codec carries: the exchange's, and the wire's own. */
export type WireFrame = Frame | AckFrame;

/** A hello with the wire's own optional fields. */
export type WireHello = HelloFrame & {
  /**
   * The sender acknowledges the `msg` frames it receives (§5.6), and asks the peer to
   * acknowledge its own at least every `acks` of them; 0: it asks for none.
   */
  acks?: number;
};
