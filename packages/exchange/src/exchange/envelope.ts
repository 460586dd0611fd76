import type { WireError } from './errors.js';

/** One exchange a message passed, and when (ms since the epoch). */
export interface Hop {
  ex: string;
  at: number;
}

/** `msg`: a one-way message; `req`: a request; `rep`/`err`: its reply or error. */
export type EnvelopeKind = 'msg' | 'req' | 'rep' | 'err';

/**
 * A message as it travels: plain and serialisable. `trace` lists every exchange it passed, from
 * where it (or the message that caused it) began; `cause` is the id of the message being handled
 * when this one was emitted.
 */
export interface Envelope<V = unknown> {
  id: string;
  kind: EnvelopeKind;
  name: string;
  value: V;
  /** The exchange that created it. */
  from: string;
  /** For replies and targeted messages: the exchange it is for. */
  to?: string;
  /** Milliseconds since the epoch at creation. */
  ts: number;
  headers?: Record<string, string>;
  trace: Hop[];
  /** Index in `trace` where this envelope's own journey starts (earlier hops are its causes'). */
  start?: number;
  cause?: string;
  /** For `rep`/`err`: the request's id. */
  corr?: string;
  /** For `err`: what went wrong. */
  error?: WireError;
  /** For `err`: whether the handler threw (`handler`) or the network failed (`router`). */
  errorSource?: 'handler' | 'router';
  /** For `req`: when the requester stops waiting (ms since the epoch). */
  deadline?: number;
  /** For `req`: what a forwarding exchange does when the next hop disconnects with it in flight. */
  failover?: FailoverPolicy;
  /** For `msg`/`req` with a sticky balance key. */
  key?: string;
}

/** `retry`: send the request to another handler; `at-most-once`: fail it with TRANSPORT_CLOSED. */
export type FailoverPolicy = 'retry' | 'at-most-once';

let counter = 0;
const boot = Date.now().toString(36);

/** A unique message id: the exchange id, this process's boot time and a counter (cheap, sortable). */
export function newId(exchangeId: string): string {
  return `${exchangeId}:${boot}:${(counter++).toString(36)}`;
}
