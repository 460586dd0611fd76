/**
 * Duplicate suppression: which duties (handler / observer delivery, as bits) each recently seen
 * message id has had here.
 *
 * Ids this package makes read `<origin>:<sequence>` (see envelope.ts): an origin's sequence
 * numbers only grow, so each origin gets a sliding window of sequence numbers with one byte of
 * duty bits each — no per-message hashing of the whole id, no per-message allocation, and
 * memory that stays in cache (a string-keyed map of 10,000 ids measured 200–400 ns per message
 * here; the window ~10× less). Other ids (foreign clients may use any unique string) go to a
 * bounded map with a ring of ids for O(1) eviction.
 *
 * A window starts at `MIN_WINDOW` numbers and doubles, up to `MAX_WINDOW`, whenever moving it
 * on would forget a message it has seen: a hub with thousands of quiet peers keeps 64 bytes for
 * each, while a busy origin, or one whose numbers arrive far apart or out of order, remembers
 * enough to recognise a reconnecting link sending again everything it had not seen
 * acknowledged (up to its `maxQueued`, 10,000 by default).
 *
 * Bounds and what falls out of them: a message more than the window's size older than its
 * origin's newest, from an origin evicted after `maxOrigins` newer ones, or a foreign id
 * forgotten after `capacity` newer ones, is treated as new (counted in `stale`); the path check
 * and the hop limit still stop such a copy from looping.
 */
export class SeenSet {
  /** Messages counted as new only because their record had been forgotten. */
  stale = 0;
  private readonly origins = new Map<string, OriginWindow>();
  private lastOrigin = '';
  private lastWindow: OriginWindow | undefined;
  /** The origin before the last: a hub relaying requests and their replies alternates two. */
  private priorOrigin = '';
  private priorWindow: OriginWindow | undefined;
  private readonly foreign = new Map<string, number>();
  /** Foreign ids in arrival order; grows to `capacity`, then the oldest is overwritten. */
  private readonly ring: string[] = [];
  private next = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxOrigins = 4096,
  ) {}

  /** Record `wanted` duty bits for `id`; returns the ones it had not had yet. */
  claim(id: string, wanted: number): number {
    const colon = id.lastIndexOf(':');
    const seq = colon > 0 ? parseSequence(id, colon + 1) : -1;
    if (seq < 0) return this.claimForeign(id, wanted);
    const window = this.window(id, colon);
    if (seq > window.high) window.advance(seq);
    else if (seq <= window.high - window.duties.length && !window.reach(seq)) {
      this.stale++;
      return wanted;
    }
    const slot = seq & (window.duties.length - 1);
    const had = window.duties[slot];
    const fresh = wanted & ~had;
    window.duties[slot] = had | fresh;
    return fresh;
  }

  /** Let `id` claim these duties again (a request failing over to another handler). */
  release(id: string, duties: number): void {
    const colon = id.lastIndexOf(':');
    const seq = colon > 0 ? parseSequence(id, colon + 1) : -1;
    if (seq < 0) {
      const had = this.foreign.get(id);
      if (had !== undefined) this.foreign.set(id, had & ~duties);
      return;
    }
    const window = this.origins.get(id.slice(0, colon));
    const size = window?.duties.length ?? 0;
    if (window && seq > window.high - size && seq <= window.high)
      window.duties[seq & (size - 1)] &= ~duties;
  }

  /** How many sequence numbers the window of `origin` spans now (0: none kept). */
  windowSize(origin: string): number {
    return this.origins.get(origin)?.duties.length ?? 0;
  }

  /** The window of the id's origin; the last one is kept at hand (bursts share an origin). */
  private window(id: string, colon: number): OriginWindow {
    const last = this.lastOrigin;
    if (colon === last.length && this.lastWindow !== undefined && id.startsWith(last))
      return this.lastWindow;
    const prior = this.priorOrigin;
    if (colon === prior.length && this.priorWindow !== undefined && id.startsWith(prior)) {
      const window = this.priorWindow;
      this.priorOrigin = last;
      this.priorWindow = this.lastWindow;
      this.lastOrigin = prior;
      this.lastWindow = window;
      return window;
    }
    const origin = id.slice(0, colon);
    let window = this.origins.get(origin);
    if (window === undefined) {
      if (this.origins.size >= this.maxOrigins) {
        const oldest = this.origins.keys().next().value!;
        this.origins.delete(oldest);
        // Forgotten means forgotten: not kept at hand either.
        if (oldest === last) this.lastWindow = undefined;
        if (oldest === this.priorOrigin) this.priorWindow = undefined;
      }
      window = new OriginWindow();
      this.origins.set(origin, window);
    }
    this.priorOrigin = last;
    this.priorWindow = this.lastWindow;
    this.lastOrigin = origin;
    this.lastWindow = window;
    return window;
  }

  private claimForeign(id: string, wanted: number): number {
    const had = this.foreign.get(id);
    if (had === undefined) {
      // Grown on demand: most exchanges see no foreign ids, and thousands of idle exchanges in
      // one process must not each hold a ring of `capacity` slots.
      if (this.ring.length < this.capacity) this.ring.push(id);
      else {
        this.foreign.delete(this.ring[this.next]);
        this.ring[this.next] = id;
        this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
      }
      this.foreign.set(id, wanted);
      return wanted;
    }
    const fresh = wanted & ~had;
    if (fresh !== 0) this.foreign.set(id, had | fresh);
    return fresh;
  }
}

/** The first and the largest window per origin, in sequence numbers: powers of two. */
export const MIN_WINDOW = 64;
export const MAX_WINDOW = 16_384;

class OriginWindow {
  high = -1;
  /** Slot `seq & (length - 1)` holds the duties of `seq`; the length is a power of two. */
  duties = new Uint8Array(MIN_WINDOW);

  /**
   * Move the window's top to `seq`, clearing the slots of the numbers it skips. Where that
   * would forget a message this window has seen, it doubles first (up to MAX_WINDOW): a busy
   * origin, or one whose numbers arrive far apart, gets the room it needs.
   */
  advance(seq: number): void {
    while (this.duties.length < MAX_WINDOW && this.wouldForget(seq)) this.grow();
    const size = this.duties.length;
    if (seq - this.high >= size) this.duties.fill(0);
    else for (let s = this.high + 1; s <= seq; s++) this.duties[s & (size - 1)] = 0;
    this.high = seq;
  }

  /**
   * Grow to span `seq`, below the window, if MAX_WINDOW allows. A window short of the largest
   * has never forgotten a number it saw (it grows instead), so what it did not span is unseen.
   */
  reach(seq: number): boolean {
    if (this.high - seq >= MAX_WINDOW) return false;
    while (seq <= this.high - this.duties.length) this.grow();
    return true;
  }

  /** Whether moving the top to `seq` drops a number that had duties (one a growth could keep). */
  private wouldForget(seq: number): boolean {
    const gap = seq - this.high;
    if (gap >= MAX_WINDOW) return false; // even the largest window would drop them all
    const mask = this.duties.length - 1;
    if (gap > mask) return this.duties.some((d) => d !== 0);
    for (let s = this.high + 1; s <= seq; s++) if (this.duties[s & mask] !== 0) return true;
    return false;
  }

  /** Double the window, keeping what it holds for the numbers it spans now. */
  private grow(): void {
    const old = this.duties;
    const duties = new Uint8Array(old.length * 2);
    for (let s = Math.max(0, this.high - old.length + 1); s <= this.high; s++)
      duties[s & (duties.length - 1)] = old[s & (old.length - 1)];
    this.duties = duties;
  }
}

/** The base-36 number at `from` to the end of `id`, or -1 if it is not one (or too long). */
function parseSequence(id: string, from: number): number {
  const end = id.length;
  if (from >= end || end - from > 10) return -1;
  let n = 0;
  for (let i = from; i < end; i++) {
    const c = id.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 97 && c <= 122) digit = c - 87;
    else return -1;
    n = n * 36 + digit;
  }
  return n;
}
