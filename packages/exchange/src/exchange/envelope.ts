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
  to?: string | undefined;
  /** Milliseconds since the epoch at creation. */
  ts: number;
  headers?: Record<string, string> | undefined;
  trace: Hop[];
  /** Index in `trace` where this envelope's own journey starts (earlier hops are its causes'). */
  start?: number | undefined;
  cause?: string | undefined;
  /** For `rep`/`err`: the request's id. */
  corr?: string | undefined;
  /** For `err`: what went wrong. */
  error?: WireError | undefined;
  /** For `err`: whether the handler threw (`handler`) or the network failed (`router`). */
  errorSource?: 'handler' | 'router' | undefined;
  /** For `req`: when the requester stops waiting (ms since the epoch). */
  deadline?: number | undefined;
  /** For `req`: what a forwarding exchange does when the next hop disconnects with it in flight. */
  failover?: FailoverPolicy | undefined;
  /** For `msg`/`req` with a sticky balance key. */
  key?: string | undefined;
}

/** `retry`: send the request to another handler; `at-most-once`: fail it with TRANSPORT_CLOSED. */
export type FailoverPolicy = 'retry' | 'at-most-once';

/**
 * Every field of an envelope, in the order `cloneEnvelope` (and every envelope made here) lists
 * them: what the MessagePack codec writes and reads. The type check below fails to compile if a
 * field of `Envelope` is missing, so a new one cannot be dropped on the wire unnoticed.
 */
export const ENVELOPE_FIELDS = [
  'id',
  'kind',
  'name',
  'value',
  'from',
  'to',
  'ts',
  'headers',
  'trace',
  'start',
  'cause',
  'corr',
  'error',
  'errorSource',
  'deadline',
  'failover',
  'key',
] as const satisfies readonly (keyof Envelope)[];
const allListed: [Exclude<keyof Envelope, (typeof ENVELOPE_FIELDS)[number]>] extends [never]
  ? true
  : never = true;
void allListed;

const boot = Date.now().toString(36);
let instances = 0;

/**
 * Message ids for one exchange: `<exchange id>:<boot>.<instance>:<sequence>`, all base 36. The
 * prefix is unique per exchange instance (this process's boot time and a per-process instance
 * number), and the sequence grows by one per message, which lets duplicate suppression keep a
 * small window per origin instead of every id (see seen.ts).
 */
export class IdSource {
  readonly prefix: string;
  private sequence = 0;
  constructor(exchangeId: string) {
    this.prefix = `${exchangeId}:${boot}.${(instances++).toString(36)}:`;
  }
  next(): string {
    return this.prefix + (this.sequence++).toString(36);
  }
}

/**
 * A copy the receiver may change (it replaces `trace` with one a hop longer; the trace array
 * itself is shared, and never changed in place by anyone). Every envelope this package
 * makes lists all fields in this order, so they share one object shape and the per-message
 * code stays monomorphic.
 */
export function cloneEnvelope(env: Envelope): Envelope {
  return {
    id: env.id,
    kind: env.kind,
    name: env.name,
    value: env.value,
    from: env.from,
    to: env.to,
    ts: env.ts,
    headers: env.headers,
    trace: env.trace, // shared: a receiver replaces it (appendHop), never changes it
    start: env.start,
    cause: env.cause,
    corr: env.corr,
    error: env.error,
    errorSource: env.errorSource,
    deadline: env.deadline,
    failover: env.failover,
    key: env.key,
  };
}

/**
 * A new trace: `trace` and one more hop. Arrays of traces are never changed in place (a local
 * link shares them between sender and receiver), and one exact-size allocation is cheaper than
 * copying and then growing.
 */
export function appendHop(trace: Hop[], ex: string, at: number): Hop[] {
  const n = trace.length;
  const out = new Array<Hop>(n + 1);
  for (let i = 0; i < n; i++) out[i] = trace[i];
  out[n] = { ex, at };
  return out;
}
