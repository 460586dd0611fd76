/**
 * Requests in flight: this exchange's own (waiting for their reply, with their timeout and
 * abort) and those it relays for others (relay-records.ts). Which peer carries each is
 * remembered (`Peer.inflight`), so a peer that leaves has its requests sent elsewhere or
 * failed, per their failover policy.
 */
import type { Envelope } from './envelope.js';
import {
  CancelledError,
  ExchangeError,
  RemoteError,
  TimeoutError,
  fromWireError,
} from './errors.js';
import { Deadlines, type Deadline } from './deadlines.js';
import { InFlight } from './in-flight.js';
import type { Peer } from './peer.js';
import { RelayRecords } from './relay-records.js';

/** A request is sent again at most this many times after the peer carrying it left. */
const MAX_RETRIES = 3;

/** What requests need of their exchange: to send one again, and to answer one with an error. */
export interface RequestsOwner {
  /**
   * Route `env` again as if it were new (to its target, or to a handler other than `from`'s
   * way); returns whether it went anywhere.
   */
  resend(env: Envelope, from: Peer | undefined): boolean;
  /** Answer a relayed request with a router error. */
  fail(env: Envelope, error: Error): void;
}

interface Pending {
  /** Settled with the reply envelope (`whole`) or only its value. */
  resolve: (reply: unknown) => void;
  whole: boolean;
  reject: (error: Error) => void;
  env: Envelope;
  peer: Peer | undefined;
  attempts: number;
  timeout: number;
  /** Its deadline: a record of its own, so the deadline heap holds nothing large once done. */
  due: Due;
}

interface Due extends Deadline {
  id: string;
}

export class Requests {
  /** Requests relayed for others. */
  readonly relays = new RelayRecords();
  private readonly pending = new InFlight<Pending>();
  private readonly deadlines = new Deadlines<Due>((due) => this.timedOut(due.id));

  constructor(private readonly owner: RequestsOwner) {}

  /** This exchange's own requests waiting for their reply. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Wait for the reply to `env` (a request made here): settles `resolve` with it (`whole`) or
   * its value, or `reject` with its error, or with TimeoutError `timeout` ms after `started`
   * (`performance.now()` at the call), or CancelledError when `signal` aborts.
   * @returns false if `signal` was already aborted (rejected at once; nothing to send).
   */
  wait(
    env: Envelope,
    started: number,
    timeout: number,
    signal: AbortSignal | undefined,
    whole: boolean,
    resolve: (reply: unknown) => void,
    reject: (error: Error) => void,
  ): boolean {
    const name = env.name;
    if (signal?.aborted) {
      reject(new CancelledError(`request ${name} cancelled`));
      return false;
    }
    const entry: Pending = {
      resolve,
      whole,
      reject,
      env,
      peer: undefined,
      attempts: 0,
      timeout,
      due: { expires: started + timeout, done: true, id: env.id },
    };
    if (signal) {
      const onAbort = () => this.settle(env.id, new CancelledError(`request ${name} cancelled`));
      signal.addEventListener('abort', onAbort, { once: true });
      entry.resolve = (reply) => {
        signal.removeEventListener('abort', onAbort);
        resolve(reply);
      };
      entry.reject = (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      };
    }
    this.deadlines.add(entry.due);
    this.pending.set(env.id, entry);
    return true;
  }

  /** A reply or error reached this exchange, the requester. */
  replied(env: Envelope): boolean {
    const p = this.pending.get(env.corr!);
    if (!p) return false; // late: timed out or cancelled already
    this.pending.delete(env.corr!);
    this.deadlines.cancel(p.due);
    p.peer?.inflight.delete(env.corr!);
    if (env.kind === 'rep') p.resolve(p.whole ? env : env.value);
    // A handler's error is a RemoteError; one it relayed (code REMOTE) keeps the inner code.
    else if (env.errorSource === 'handler' && env.error?.code !== 'REMOTE')
      p.reject(new RemoteError(env.error!));
    else p.reject(fromWireError(env.error));
    return true;
  }

  /** Fail request `id` made here, if it still waits. */
  settle(id: string, error: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.deadlines.cancel(p.due);
    p.peer?.inflight.delete(id);
    p.reject(error);
  }

  private timedOut(id: string): void {
    const p = this.pending.get(id);
    if (p) this.settle(id, new TimeoutError(p.env.name, p.timeout));
  }

  /** Fail every request made here (the exchange closed). */
  close(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, error);
    this.deadlines.clear();
  }

  /** Remember where a request went (`from`: the peer it came from), so its loss is noticed. */
  track(env: Envelope, from: Peer | undefined, to: Peer): void {
    to.inflight.set(env.id, true);
    const mine = this.pending.get(env.id);
    if (mine) return void (mine.peer = to);
    this.relays.add(env, from, to);
  }

  /** Fail a request that could not go on: ours at once; a relayed one with an error reply. */
  fail(env: Envelope, peer: Peer, error: Error): void {
    peer.inflight.delete(env.id);
    if (this.pending.has(env.id)) return this.settle(env.id, error);
    this.relays.delete(env.id);
    this.owner.fail(env, error);
  }

  /** The peer a request went to left: send it elsewhere, or fail it (per its policy). */
  failOver(id: string, lost: Peer): void {
    const mine = this.pending.get(id);
    const relayed = this.relays.get(id);
    const env = mine?.env ?? relayed?.env;
    if (!env) return;
    this.relays.delete(id);
    const closed = new ExchangeError(
      'TRANSPORT_CLOSED',
      `peer ${lost.id} left with request ${env.name} in flight`,
    );
    const attempts = (mine?.attempts ?? 0) + 1;
    if (
      env.failover === 'retry' &&
      attempts <= MAX_RETRIES &&
      (env.deadline ?? Infinity) > Date.now()
    ) {
      if (mine) mine.attempts = attempts;
      if (this.owner.resend(env, relayed?.from)) return;
    }
    if (mine) this.settle(id, closed);
    else this.owner.fail(env, closed);
  }
}
