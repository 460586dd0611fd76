import type { Envelope } from './envelope.js';

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

/** What exchanges say to each other over a link (spec/protocol.md will give the wire form). */
export type Frame =
  | { t: 'hello'; id: string; protocol: number; adverts: Advert[] }
  | { t: 'adv'; adverts: Advert[] }
  | { t: 'msg'; env: Envelope; mode: number }
  | { t: 'bye'; reason?: string };

export type LinkState = 'open' | 'closed';

/**
 * One connection to one peer: the contract every transport implements. The exchange sets the
 * `on*` callbacks; the transport calls them. `send` returns false when the frame was NOT
 * accepted because the link's bounded queue is full (the exchange then reports it as dropped or
 * fails the request with CONGESTED); `onCongested(true)` fires when the queue crosses its
 * high-water mark and `onCongested(false)` once it drains below it.
 */
export interface Link {
  readonly state: LinkState;
  send(frame: Frame): boolean;
  close(reason?: string): void;
  onFrame: (frame: Frame) => void;
  onClose: (reason: string) => void;
  onCongested: (congested: boolean) => void;
}
