/**
 * Deadlines on one timer: the requests an exchange waits for, soonest first in a binary heap,
 * with a single timer set for the soonest. A timer per request cost more than the rest of a
 * local request/reply (0.4 of 1.1 µs here): a Timeout object, and the runtime's list for its
 * duration made and dropped each time one request at a time was in flight.
 *
 * Entries that settle before their deadline stay in the heap, marked done (`cancel`), and are
 * dropped as they come to the top or when they outnumber the live ones (a rebuild, so the heap
 * holds at most about twice the live entries plus SLACK: O(1) amortized per entry). The timer
 * keeps the process alive only while a live entry waits, as a timer per request did.
 *
 * At most EARLY_MS early: a timer may fire up to a millisecond before its time (the event loop
 * reads its clock once per turn), so an entry is due only within EARLY_MS of its deadline, and
 * the timer is set again for the rest otherwise. Waiting out that last half millisecond would
 * take another timer, and make every timeout about a millisecond late instead.
 */

/** What a deadline is set on. `expires` is on `performance.now()`'s clock, in ms. */
export interface Deadline {
  expires: number;
  /**
   * Whether it is not waiting: make entries with true; `add` clears it, and `cancel` (or its
   * expiry) sets it again, so cancelling one never added, or twice, changes nothing. The heap
   * drops done entries when it comes across them.
   */
  done: boolean;
}

/** An entry is due this close to its deadline (see above). */
const EARLY_MS = 0.5;
/** Done entries kept before a rebuild is worth it, whatever the live count. */
const SLACK = 64;
/** setTimeout's longest delay; a later deadline is reached in steps. */
const MAX_DELAY = 2_147_483_647;

/** A timer: Node's can be told whether it keeps the process alive; a browser's is a number. */
type Timer = ReturnType<typeof setTimeout>;
type Refable = { ref?: () => unknown; unref?: () => unknown } | undefined;

export class Deadlines<E extends Deadline> {
  private heap: E[] = [];
  private live = 0;
  private timer: Timer | undefined;
  /** When the timer fires (performance.now() ms); Infinity when none is set. */
  private timerAt = Infinity;
  private refed = false;
  private readonly fire = () => this.fired();

  /** @param expire - called with each entry whose deadline passed (it is done by then). */
  constructor(private readonly expire: (entry: E) => void) {}

  /** Entries waiting for their deadline. */
  get size(): number {
    return this.live;
  }

  /** Entries in the heap, done ones not dropped yet: at most about twice `size`, plus SLACK. */
  get held(): number {
    return this.heap.length;
  }

  /** Wait for `entry.expires` (an entry already waiting is not added again). */
  add(entry: E): void {
    if (!entry.done) return;
    entry.done = false;
    this.live++;
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    // Sift up: entries usually come in deadline order, so this rarely moves.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].expires <= entry.expires) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
    if (entry.expires < this.timerAt) this.arm(entry.expires);
    else if (!this.refed) this.ref(true);
  }

  /** `entry` settled before its deadline: it no longer expires. */
  cancel(entry: E): void {
    if (entry.done) return;
    entry.done = true;
    this.live--;
    const stale = this.heap.length - this.live;
    if (stale > SLACK && stale > this.live) this.rebuild();
    if (this.live === 0) this.ref(false);
  }

  /** No more deadlines: the timer stops and every entry is dropped (none expires). */
  clear(): void {
    for (const entry of this.heap) entry.done = true;
    this.heap = [];
    this.live = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.refed = false;
  }

  private fired(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.refed = false;
    const now = performance.now();
    try {
      for (let top = this.top(); top !== undefined && top.expires - now <= EARLY_MS;) {
        this.pop();
        top.done = true;
        this.live--;
        this.expire(top);
        top = this.top();
      }
    } finally {
      // Set again for the next, even if `expire` threw.
      const next = this.top();
      if (next !== undefined) this.arm(next.expires);
    }
  }

  /** The soonest live entry, done ones above it dropped. */
  private top(): E | undefined {
    while (this.heap.length > 0 && this.heap[0].done) this.pop();
    return this.heap[0];
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length > 0) siftDown(this.heap, 0, last);
  }

  /** Keep the live entries only, in heap order again. */
  private rebuild(): void {
    const heap = this.heap.filter((e) => !e.done);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, heap[i]);
    this.heap = heap;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    const delay = Math.min(MAX_DELAY, Math.max(0, Math.ceil(at - performance.now())));
    this.timer = setTimeout(this.fire, delay);
    this.timerAt = at;
    this.refed = true;
  }

  /** Keep the process alive for the timer (Node) only while a live entry waits. */
  private ref(on: boolean): void {
    this.refed = on;
    const timer = this.timer as Refable;
    if (on) timer?.ref?.();
    else timer?.unref?.();
  }
}

/** Put `entry` at `at` or below it, where it is no later than its children. */
function siftDown<E extends Deadline>(heap: E[], at: number, entry: E): void {
  const n = heap.length;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && heap[right].expires < heap[left].expires ? right : left;
    if (heap[child].expires >= entry.expires) break;
    heap[at] = heap[child];
    at = child;
  }
  heap[at] = entry;
}
