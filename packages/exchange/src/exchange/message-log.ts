/**
 * A bounded, in-memory log of the messages a peer sent and received, for tracing and the
 * dashboard. It holds at most `capacity` entries and about `maxBytes` bytes (estimated, see
 * size-estimate.ts): past either, the oldest entries are evicted and counted in `dropped`. A
 * value over `maxValueBytes` is not kept at all: the entry holds a copy of the envelope
 * without it, and says so in `valueOmitted`.
 *
 * @example
 * const log = new MessageLog<{ name: string }>({ capacity: 100, maxBytes: 1 << 20 });
 * log.push({ direction: 'in', peer: 'hub', envelope: { name: 'db.query' } });
 * log.query({ pattern: 'db.>', limit: 10 }); // the 10 newest db messages, oldest first
 */
import { LogChunks, type Chunk } from './log-chunks.js';
import { matches, validatePattern } from './names.js';
import { estimateSize } from './size-estimate.js';

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
  /**
   * The envelope as logged. When `valueOmitted` is set, a copy of it without `value` (the
   * original, shared with handlers and the wire, is untouched).
   */
  readonly envelope: E;
  /**
   * Only on an entry whose value was too large to keep (over `maxValueBytes`, or too many parts
   * to measure, see size-estimate.ts): the value's estimated size in bytes, a lower bound.
   */
  readonly valueOmitted?: number;
}

/** What `push` takes: an entry without its `seq`, which the log assigns. */
export interface LogEntryInit<E extends { name: string }> {
  direction: Direction;
  /** @default Date.now() */
  at?: number;
  peer?: string | undefined;
  envelope: E;
}

/**
 * A message as the bytes it arrived in (EnvelopeBytes, for envelopes): the log copies the range
 * [start, end) of `data` and reads it back with `read` when the entry is asked for.
 */
export interface LoggedBytes<E> {
  data: Uint8Array;
  start: number;
  end: number;
  read: (bytes: Uint8Array) => E;
  /** The bytes are the envelope as logged: read back, it is not `restore`d. */
  sent?: boolean | undefined;
}

export interface MessageLogInit<E = unknown> {
  /** Entries kept; a positive integer. @default 1000 */
  capacity?: number | undefined;
  /**
   * Estimated bytes kept, envelopes and values included; an integer of at least 1024. A value
   * over a sixteenth of it is left out of its entry. @default 16 MiB
   */
  maxBytes?: number | undefined;
  /**
   * Which entries keep their value; the others are logged as an over-size one is (without it,
   * `valueOmitted` set). An exchange leaves out its own `$exchange.log` answers: they are copies
   * of the log, and each would hold the previous one again. @default every entry
   */
  keepValue?: ((envelope: E) => boolean) | undefined;
  /**
   * Finishes an envelope read back from logged bytes with what changed since they arrived and
   * before it was logged (an exchange appends the hop it added, timed `at`); not called for
   * bytes that are the envelope as logged (`sent`). @default as read
   */
  restore?: ((envelope: E, at: number) => E) | undefined;
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
/** The default `maxBytes`: 16 MiB. */
export const DEFAULT_LOG_MAX_BYTES = 16 * 1024 * 1024;
/** The smallest `maxBytes`. */
export const MIN_LOG_MAX_BYTES = 1024;
/** `maxValueBytes` is `maxBytes` divided by this: the log keeps at least 16 of its largest values. */
const VALUE_SHARE = 16;
/** An entry's fixed cost: its ring slots, the envelope object, its id and name strings. */
const ENTRY_BYTES = 256;
/** A hop of the envelope's trace. */
const HOP_BYTES = 48;
/** The envelope copy made when its value is left out. */
const COPY_BYTES = 160;
/** An entry kept as bytes: its ring slots; the bytes themselves are counted exactly. */
const BYTES_ENTRY_BYTES = 64;
/** The parts of an envelope the log measures; all but `name` optional, so any `E` has them. */
interface Measured {
  id?: unknown;
  value?: unknown;
  trace?: { length: number };
  headers?: unknown;
  error?: unknown;
}

/** A ring buffer of log entries, oldest first when read. */
export class MessageLog<E extends { name: string }> implements Iterable<LogEntry<E>> {
  /** The most entries kept. */
  readonly capacity: number;
  /** The most estimated bytes kept (the newest entry is kept even if it alone costs more). */
  readonly maxBytes: number;
  /** A value estimated larger is left out of its entry (`valueOmitted`). */
  readonly maxValueBytes: number;
  readonly #keepValue: ((envelope: E) => boolean) | undefined;
  // Parallel rings, so logging a message allocates nothing (entries are built when read).
  #seqs: number[] = [];
  #directions: Direction[] = [];
  #ats: number[] = [];
  #peers: (string | undefined)[] = [];
  #envelopes: (E | undefined)[] = [];
  /** Each entry's estimated bytes. */
  #costs: number[] = [];
  /** Each entry's `valueOmitted`, or 0. */
  #omitted: number[] = [];
  // Entries kept as bytes (no envelope): their chunk, where in it, and how to read them back.
  #chunks: (Chunk | undefined)[] = [];
  #starts: number[] = [];
  #ends: number[] = [];
  #readers: (((bytes: Uint8Array) => E) | undefined)[] = [];
  /** Whether entry i's bytes are the envelope as logged (LoggedBytes.sent). */
  #sent: boolean[] = [];
  #store: LogChunks;
  readonly #restore: ((envelope: E, at: number) => E) | undefined;
  /** Index of the oldest entry. */
  #head = 0;
  #size = 0;
  #bytes = 0;
  #dropped = 0;
  #seq = 0;
  // The last object value measured, by envelope id: a relayed message is logged in and out, and
  // a fanned-out one once per peer. The value itself is held only if its entry keeps it anyway.
  #lastId: unknown = undefined;
  #lastValue: unknown = undefined;
  #lastValueBytes = 0;

  /**
   * @throws {RangeError} if `capacity` is not a positive integer or `maxBytes` not an integer of
   *   at least 1024.
   */
  constructor(init: MessageLogInit<E> = {}) {
    const { capacity = DEFAULT_LOG_CAPACITY, maxBytes = DEFAULT_LOG_MAX_BYTES } = init;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_LOG_MAX_BYTES) {
      throw new RangeError(
        `log maxBytes must be an integer of at least ${MIN_LOG_MAX_BYTES}, got ${maxBytes}`,
      );
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.maxValueBytes = Math.floor(maxBytes / VALUE_SHARE);
    this.#keepValue = init.keepValue;
    this.#restore = init.restore;
    this.#store = new LogChunks(maxBytes);
  }

  /** Entries held now. */
  get size(): number {
    return this.#size;
  }

  /** The estimated bytes the entries held now cost. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Entries evicted because the log was full (`capacity`) or over `maxBytes`, since it was made
   * or cleared.
   */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Log a message, evicting the oldest entries if the log is full or would pass `maxBytes`.
   * @returns the stored entry, with its `seq`.
   */
  push(init: LogEntryInit<E>): LogEntry<E> {
    this.record(init.direction, init.peer, init.envelope, init.at ?? Date.now());
    return this.#at(this.#size - 1);
  }

  /**
   * `push` without the entry object: the per-message path. With `bytes` (the message as it
   * arrived, or as it was sent), the log keeps a copy of those instead of the envelope's objects
   * when it may keep the value: a message log holding thousands of envelopes made every one of
   * them survive into V8's old generation (bench/README.md), and a copy into a shared chunk
   * makes no objects.
   */
  record(
    direction: Direction,
    peer: string | undefined,
    envelope: E,
    at: number,
    bytes?: LoggedBytes<E>,
  ): void {
    if (bytes !== undefined) {
      const size = bytes.end - bytes.start;
      if (size <= this.maxValueBytes && (this.#keepValue?.(envelope) ?? true)) {
        const i = this.#slot(BYTES_ENTRY_BYTES + size);
        this.#keepBytes(i, bytes, size);
        this.#fill(i, direction, peer, at, undefined, BYTES_ENTRY_BYTES + size, 0);
        return;
      }
    }
    const measured = envelope as Measured;
    let cost = this.#overhead(measured);
    let logged = envelope;
    let omitted = 0;
    const valueBytes = this.#valueBytes(measured);
    const kept = valueBytes <= 0 || this.#keepValue === undefined || this.#keepValue(envelope);
    if (kept && valueBytes >= 0 && valueBytes <= this.maxValueBytes) cost += valueBytes;
    else {
      omitted = Math.abs(valueBytes);
      logged = { ...envelope, value: undefined };
      cost += COPY_BYTES;
    }
    this.#fill(this.#slot(cost), direction, peer, at, logged, cost, omitted);
  }

  /**
   * The message the last logged bytes came in is done with: entries logged from now on do not
   * share their copy (log-chunks.ts), and the log keeps no reference to that message.
   */
  forgetSource(): void {
    this.#store.forgetSource();
  }

  /** The slot of a new entry costing `cost`, with the oldest evicted to make room for it. */
  #slot(cost: number): number {
    let i: number;
    if (this.#size < this.capacity) i = (this.#head + this.#size++) % this.capacity;
    else {
      // Full: the oldest entry's slot becomes the newest's.
      i = this.#head;
      this.#head = i + 1 === this.capacity ? 0 : i + 1;
      this.#bytes -= this.#costs[i];
      if (this.#chunks[i] !== undefined) this.#forgetBytes(i);
      this.#dropped++;
    }
    // The new entry, at i, is already counted in #size and is never the oldest here.
    while (this.#size > 1 && this.#bytes + cost > this.maxBytes) this.#evictOldest();
    return i;
  }

  #fill(
    i: number,
    direction: Direction,
    peer: string | undefined,
    at: number,
    envelope: E | undefined,
    cost: number,
    omitted: number,
  ): void {
    this.#seqs[i] = ++this.#seq;
    this.#directions[i] = direction;
    this.#ats[i] = at;
    this.#peers[i] = peer;
    this.#envelopes[i] = envelope;
    this.#costs[i] = cost;
    this.#omitted[i] = omitted;
    this.#bytes += cost;
  }

  /** Keep a copy of the message's bytes for entry i (see log-chunks.ts). */
  #keepBytes(i: number, bytes: LoggedBytes<E>, size: number): void {
    this.#chunks[i] = this.#store.copy(bytes.data, bytes.start, size);
    this.#starts[i] = this.#store.offset;
    this.#ends[i] = this.#store.offset + size;
    this.#readers[i] = bytes.read;
    this.#sent[i] = bytes.sent === true;
  }

  /** Entry i no longer holds bytes. */
  #forgetBytes(i: number): void {
    this.#store.release(this.#chunks[i]!);
    this.#chunks[i] = undefined;
    this.#readers[i] = undefined;
  }

  /** The envelope of the entry in slot j: as logged, or read back from its bytes. */
  #envelopeAt(j: number): E {
    const chunk = this.#chunks[j];
    if (chunk === undefined) return this.#envelopes[j]!;
    const env = this.#readers[j]!(chunk.bytes.subarray(this.#starts[j], this.#ends[j]));
    return this.#restore === undefined || this.#sent[j] ? env : this.#restore(env, this.#ats[j]);
  }

  /** An entry's bytes besides its value: fixed, per hop, and its headers and error if any. */
  #overhead(env: Measured): number {
    let bytes = ENTRY_BYTES;
    if (env.trace !== undefined) bytes += HOP_BYTES * env.trace.length;
    if (env.headers !== undefined) bytes += this.#keptBytes(env.headers);
    if (env.error !== undefined) bytes += this.#keptBytes(env.error);
    return bytes;
  }

  /** A part that is always kept: unmeasured counts as at least a value over the limit. */
  #keptBytes(part: unknown): number {
    const bytes = estimateSize(part, this.maxBytes);
    return bytes >= 0 ? bytes : Math.max(-bytes, this.maxValueBytes + 1);
  }

  /** `estimateSize` of the value, remembered for the last object value (see `#lastId`). */
  #valueBytes(env: Measured): number {
    const value = env.value;
    if (typeof value !== 'object' || value === null) return estimateSize(value, this.maxValueBytes);
    const id = env.id;
    // The same message again; if its value was left out, a different value under that id is too.
    if (id !== undefined && id === this.#lastId) {
      if (this.#lastValue === value || this.#lastValue === undefined) return this.#lastValueBytes;
    }
    const bytes = estimateSize(value, this.maxValueBytes);
    this.#lastId = id;
    this.#lastValueBytes = bytes;
    this.#lastValue = bytes >= 0 && bytes <= this.maxValueBytes ? value : undefined;
    return bytes;
  }

  /** Forget the oldest entry, envelope first, so its value can be collected. */
  #evictOldest(): void {
    const i = this.#head;
    this.#bytes -= this.#costs[i];
    this.#envelopes[i] = undefined;
    if (this.#chunks[i] !== undefined) this.#forgetBytes(i);
    this.#head = i + 1 === this.capacity ? 0 : i + 1;
    this.#size--;
    this.#dropped++;
  }

  /** The newest logged envelope that passes `match` (or undefined): scans newest first. */
  findEnvelope(match: (envelope: E) => boolean): E | undefined {
    for (let i = this.#size - 1; i >= 0; i--) {
      const envelope = this.#envelopeAt((this.#head + i) % this.capacity);
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
      // The columns first: an entry kept as bytes is read back only if it may match.
      const j = (this.#head + i) % this.capacity;
      if (direction !== undefined && this.#directions[j] !== direction) continue;
      if (peer !== undefined && this.#peers[j] !== peer) continue;
      if (this.#ats[j] < since || this.#ats[j] > until) continue;
      const e = this.#at(i);
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
    this.#costs = [];
    this.#omitted = [];
    this.#chunks = [];
    this.#starts = [];
    this.#ends = [];
    this.#readers = [];
    this.#sent = [];
    this.#store = new LogChunks(this.maxBytes);
    this.#head = 0;
    this.#size = 0;
    this.#bytes = 0;
    this.#dropped = 0;
    this.#lastId = this.#lastValue = undefined;
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): Iterator<LogEntry<E>> {
    for (let i = 0; i < this.#size; i++) yield this.#at(i);
  }

  /** The i-th oldest entry. */
  #at(i: number): LogEntry<E> {
    const j = (this.#head + i) % this.capacity;
    const entry = {
      seq: this.#seqs[j],
      direction: this.#directions[j],
      at: this.#ats[j],
      peer: this.#peers[j],
      envelope: this.#envelopeAt(j),
    };
    const omitted = this.#omitted[j];
    return omitted === 0 ? entry : { ...entry, valueOmitted: omitted };
  }
}
