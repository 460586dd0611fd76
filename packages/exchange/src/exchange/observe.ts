/**
 * `ex.observe(pattern)`: an observer as an async iterator. A bounded buffer sits between the
 * exchange, which never waits for anyone, and a consumer that may be slower than the messages.
 *
 * @example
 * const stop = new AbortController();
 * for await (const msg of ex.observe('orders.*', { signal: stop.signal })) {
 *   if (msg.name === 'orders.closed') break; // leaving the loop removes the observer
 * }
 */
import type { Envelope } from './envelope.js';
import { CancelledError, ExchangeError } from './errors.js';
import { isSystemName } from './names.js';

/**
 * What happens when a message arrives and the buffer is full:
 * - `drop-oldest`: the oldest buffered message makes room; it is counted in `dropped` and
 *   reported as the system message `$exchange.dropped` (not for system messages, which would
 *   report their own loss).
 * - `error`: the observer is removed; the buffered messages are still yielded, then the loop
 *   throws an `ExchangeError` with code `CONGESTED`.
 */
export type OverflowPolicy = 'drop-oldest' | 'error';

/** Options for `ex.observe`. */
export interface ObserveOptions {
  /** Aborting it ends the loop with a `CancelledError` and removes the observer. */
  signal?: AbortSignal;
  /** Messages held for a slow consumer. @default 1024 */
  bufferSize?: number;
  /** @default 'drop-oldest' */
  overflow?: OverflowPolicy;
  /** Only messages that arrived from this peer (as `ex.on(…, { peer })`). */
  peer?: string;
}

/** The buffer size `ex.observe` uses when given none. */
export const DEFAULT_OBSERVE_BUFFER = 1024;

/** The messages an observer receives, in order, as an async iterator. */
export interface Observation<V = unknown> extends AsyncIterableIterator<Envelope<V>> {
  /** Messages lost to `drop-oldest` so far. */
  readonly dropped: number;
  /** Messages received and not yet taken by the consumer. */
  readonly buffered: number;
}

/** What `observe` needs of an exchange: `on` to observe, `send` to report a dropped message. */
export interface ObserveSource {
  on(pattern: string, fn: (msg: Envelope) => void, options: { peer?: string }): () => void;
  send(name: string, value?: unknown): unknown;
}

/**
 * Observe `pattern` on `source` as an async iterator (the body of `Exchange.observe`).
 * @param source - the exchange.
 * @param pattern - a name or pattern.
 * @param options - signal, buffer size and overflow policy.
 * @returns an iterator that yields every matching message until it is ended.
 * @throws {CancelledError} if `options.signal` is already aborted (nothing is registered).
 * @throws {InvalidNameError} if `pattern` is not a valid pattern.
 * @throws {RangeError} if `bufferSize` is not a positive integer or `overflow` is unknown.
 */
export function observeMessages<V = unknown>(
  source: ObserveSource,
  pattern: string,
  options: ObserveOptions = {},
): Observation<V> {
  return new MessageStream<V>(source, pattern, options);
}

interface Waiter<V> {
  resolve: (result: IteratorResult<Envelope<V>>) => void;
  reject: (error: unknown) => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

class MessageStream<V> implements Observation<V> {
  /** Messages dropped to make room (`drop-oldest`). */
  private lost = 0;
  private readonly queue = new Queue<Envelope<V>>();
  /** Consumers waiting in `next()`; only ever non-empty while the queue is empty. */
  private readonly waiting: Waiter<V>[] = [];
  private readonly capacity: number;
  private readonly overflow: OverflowPolicy;
  /** Thrown by `next()` once the queue is empty, then the stream is finished. */
  private failure: ExchangeError | undefined;
  private finished = false;
  /** True while this stream reports a drop, so a drop it causes itself is not reported again. */
  private reporting = false;
  private readonly off: () => void;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly source: ObserveSource,
    private readonly pattern: string,
    options: ObserveOptions,
  ) {
    this.capacity = options.bufferSize ?? DEFAULT_OBSERVE_BUFFER;
    this.overflow = options.overflow ?? 'drop-oldest';
    checkOptions(this.capacity, this.overflow);
    this.signal = options.signal;
    if (this.signal?.aborted) throw this.cancelled();
    const on = options.peer === undefined ? {} : { peer: options.peer };
    this.off = source.on(pattern, (msg) => this.push(msg as Envelope<V>), on);
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get dropped(): number {
    return this.lost;
  }

  get buffered(): number {
    return this.queue.length;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Envelope<V>>> {
    const msg = this.queue.shift();
    if (msg !== undefined) return Promise.resolve({ done: false, value: msg });
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.finished) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Called when a `for await` loop is left early (`break`, `return`, a throw in its body). */
  return(): Promise<IteratorReturnResult<undefined>> {
    this.stop();
    this.queue.clear();
    this.failure = undefined;
    for (const w of this.waiting.splice(0)) w.resolve(DONE);
    return Promise.resolve(DONE);
  }

  private push(msg: Envelope<V>): void {
    const waiter = this.waiting.shift();
    if (waiter) return waiter.resolve({ done: false, value: msg });
    if (this.queue.length < this.capacity) return this.queue.push(msg);
    if (this.overflow === 'error') return this.fail(this.overflowed(), false);
    const oldest = this.queue.shift()!;
    this.queue.push(msg);
    this.lost++;
    this.report(oldest);
  }

  /** Tell the exchange's observers that `lost` was dropped; `reporting` stops a feedback loop. */
  private report(lost: Envelope<V>): void {
    if (isSystemName(lost.name) || this.reporting) return;
    this.reporting = true;
    try {
      const { pattern, capacity } = this;
      const reason = `observer buffer full (${capacity})`;
      this.source.send('$exchange.dropped', { message: lost.id, name: lost.name, reason, pattern });
    } finally {
      this.reporting = false;
    }
  }

  /** End the stream with `error`: at once (`now`) or after the buffered messages. */
  private fail(error: ExchangeError, now: boolean): void {
    this.stop();
    if (now) this.queue.clear();
    const first = this.waiting.shift();
    if (first === undefined) this.failure = error;
    else first.reject(error);
    for (const w of this.waiting.splice(0)) w.resolve(DONE);
  }

  /** Remove the observer (withdrawing its advertisement) and forget the signal. */
  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.off();
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => this.fail(this.cancelled(), true);

  private cancelled(): CancelledError {
    const reason: unknown = this.signal?.reason;
    const options = reason === undefined ? {} : { cause: reason };
    return new CancelledError(`observe ${this.pattern} cancelled`, options);
  }

  private overflowed(): ExchangeError {
    const message = `observer of ${this.pattern} fell behind: buffer of ${this.capacity} full`;
    const data = { pattern: this.pattern, bufferSize: this.capacity };
    return new ExchangeError('CONGESTED', message, { data });
  }
}

function checkOptions(capacity: number, overflow: OverflowPolicy): void {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`observe: bufferSize must be a positive integer, got ${capacity}`);
  if (overflow !== 'drop-oldest' && overflow !== 'error')
    throw new RangeError(
      `observe: overflow must be 'drop-oldest' or 'error', got ${JSON.stringify(overflow)}`,
    );
}

/** A FIFO queue with O(1) amortised `shift` (an array's `shift` moves every element). */
class Queue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact once the consumed prefix is the larger half, so memory stays bounded.
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
