/**
 * A bounded, in-memory log of the messages a peer sent and received, for tracing and the
 * dashboard. When full, the oldest entry is overwritten and counted in `dropped`.
 *
 * @example
 * const log = new MessageLog<{ name: string }>({ capacity: 100 });
 * log.push({ direction: 'in', peer: 'hub', envelope: { name: 'db.query' } });
 * log.query({ pattern: 'db.>', limit: 10 }); // the 10 newest db messages, oldest first
 */
import { matches, validatePattern } from './names.js';

/** Which way a logged message went. */
export type Direction = 'in' | 'out';

/** One logged message. */
export interface LogEntry<E extends { name: string }> {
  /** Position in the log, from 1, never reused (not even after `clear`). */
  readonly seq: number;
  readonly direction: Direction;
  /** When it was logged, in ms since the epoch. */
  readonly at: number;
  /** The peer it came from or went to; `undefined` for local delivery. */
  readonly peer: string | undefined;
  readonly envelope: E;
}

/** What `push` takes: an entry without its `seq`, which the log assigns. */
export interface LogEntryInit<E extends { name: string }> {
  direction: Direction;
  /** @default Date.now() */
  at?: number;
  peer?: string | undefined;
  envelope: E;
}

export interface MessageLogInit {
  /** Entries kept; a positive integer. @default 1000 */
  capacity?: number;
}

/** Filters for `query`; all optional, all must hold. */
export interface LogQuery {
  /** A pattern (or name) the envelope's name must match. */
  pattern?: string;
  peer?: string;
  direction?: Direction;
  /** Earliest `at`, inclusive. */
  since?: number;
  /** Latest `at`, inclusive. */
  until?: number;
  /** At most this many entries: the newest that match. */
  limit?: number;
}

/** The default `capacity`. */
export const DEFAULT_LOG_CAPACITY = 1000;

/** A ring buffer of log entries, oldest first when read. */
export class MessageLog<E extends { name: string }> implements Iterable<LogEntry<E>> {
  /** The most entries kept. */
  readonly capacity: number;
  // Parallel rings, so logging a message allocates nothing (entries are built when read).
  #seqs: number[] = [];
  #directions: Direction[] = [];
  #ats: number[] = [];
  #peers: (string | undefined)[] = [];
  #envelopes: E[] = [];
  /** Index of the oldest entry. */
  #head = 0;
  #size = 0;
  #dropped = 0;
  #seq = 0;

  /** @throws {RangeError} if `capacity` is not a positive integer. */
  constructor(init: MessageLogInit = {}) {
    const { capacity = DEFAULT_LOG_CAPACITY } = init;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Entries held now. */
  get size(): number {
    return this.#size;
  }

  /** Entries overwritten because the log was full, since it was made or cleared. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Log a message, overwriting the oldest entry if full.
   * @returns the stored entry, with its `seq`.
   */
  push(init: LogEntryInit<E>): LogEntry<E> {
    this.record(init.direction, init.peer, init.envelope, init.at ?? Date.now());
    return this.#at(this.#size - 1);
  }

  /** `push` without the entry object: the per-message path. */
  record(direction: Direction, peer: string | undefined, envelope: E, at: number): void {
    let i: number;
    if (this.#size < this.capacity) {
      i = (this.#head + this.#size++) % this.capacity;
    } else {
      i = this.#head;
      this.#head = i + 1 === this.capacity ? 0 : i + 1;
      this.#dropped++;
    }
    this.#seqs[i] = ++this.#seq;
    this.#directions[i] = direction;
    this.#ats[i] = at;
    this.#peers[i] = peer;
    this.#envelopes[i] = envelope;
  }

  /** The newest logged envelope that passes `match` (or undefined): scans newest first. */
  findEnvelope(match: (envelope: E) => boolean): E | undefined {
    for (let i = this.#size - 1; i >= 0; i--) {
      const envelope = this.#envelopes[(this.#head + i) % this.capacity];
      if (match(envelope)) return envelope;
    }
    return undefined;
  }

  /**
   * The entries that pass every filter, oldest first; with `limit`, the newest `limit` of them.
   * @throws {InvalidNameError} if `pattern` is not a valid pattern.
   */
  query(q: LogQuery = {}): LogEntry<E>[] {
    const { pattern, peer, direction, since = -Infinity, until = Infinity, limit = Infinity } = q;
    if (pattern !== undefined) validatePattern(pattern);
    const found: LogEntry<E>[] = [];
    // Newest first, so `limit` stops the scan early; reversed at the end.
    for (let i = this.#size - 1; i >= 0 && found.length < limit; i--) {
      const e = this.#at(i);
      if (direction !== undefined && e.direction !== direction) continue;
      if (peer !== undefined && e.peer !== peer) continue;
      if (e.at < since || e.at > until) continue;
      if (pattern !== undefined && !matches(pattern, e.envelope.name)) continue;
      found.push(e);
    }
    return found.reverse();
  }

  /** Remove every entry and reset `dropped`; `seq` keeps counting. */
  clear(): void {
    this.#seqs = [];
    this.#directions = [];
    this.#ats = [];
    this.#peers = [];
    this.#envelopes = [];
    this.#head = 0;
    this.#size = 0;
    this.#dropped = 0;
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): Iterator<LogEntry<E>> {
    for (let i = 0; i < this.#size; i++) yield this.#at(i);
  }

  /** The i-th oldest entry. */
  #at(i: number): LogEntry<E> {
    const j = (this.#head + i) % this.capacity;
    return {
      seq: this.#seqs[j],
      direction: this.#directions[j],
      at: this.#ats[j],
      peer: this.#peers[j],
      envelope: this.#envelopes[j],
    };
  }
}
