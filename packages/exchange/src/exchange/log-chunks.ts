/**
 * Where the message log copies the messages it keeps as bytes: chunks filled in order, the first
 * small (a process may hold thousands of exchanges that each log a few messages), each twice the
 * last up to the largest size: 64 KiB, or about a quarter of a small log's budget, so that its
 * chunks stay within a few times what it may keep. A chunk is let go once no entry holds bytes in
 * it; up to SPARES of the largest are kept to fill again, as chunks empty about as fast as new
 * ones fill, and a new 64 KiB buffer every few hundred messages cost a hub fresh pages (page
 * faults) each time. A message over a quarter of the largest chunk gets a buffer of its own.
 *
 * The same bytes logged again (a relayed message: in, then out to each peer it goes to) share
 * the first copy while an entry still holds it: a hub's log keeps one copy per message, not one
 * per hop. To know them, the last copy's source is remembered until `forgetSource` (the exchange
 * calls it when it is done with an arriving message, so that no message is kept alive by it).
 */

/** A buffer of logged bytes, and how many entries hold bytes in it. */
export interface Chunk {
  readonly bytes: Uint8Array;
  holders: number;
}

const LARGEST = 64 * 1024;
const FIRST = 1024;
const SPARES = 2;

export class LogChunks {
  /** Where the last `copy` put its bytes in the chunk it returned. */
  offset = 0;
  /** The chunk being filled, and how much of it is. */
  #chunk: Chunk | undefined;
  #used = 0;
  #spares: Chunk[] = [];
  #next = FIRST;
  readonly #largest: number;

  /** @param maxBytes - the log's budget: a small one gets smaller chunks. */
  constructor(maxBytes: number) {
    let largest = FIRST;
    while (largest < LARGEST && largest < maxBytes / 4) largest *= 2;
    this.#largest = largest;
  }

  /** Copy bytes [start, start + size) of `data`; returns their chunk (held once more). */
  copy(data: Uint8Array, start: number, size: number): Chunk {
    const last = this.#last;
    if (
      last.chunk !== undefined &&
      last.chunk.holders > 0 &&
      last.source === data &&
      last.start === start &&
      last.size === size
    ) {
      last.chunk.holders++;
      this.offset = last.offset;
      return last.chunk;
    }
    const chunk = this.#copy(data, start, size);
    last.source = data;
    last.chunk = chunk;
    last.start = start;
    last.size = size;
    last.offset = this.offset;
    return chunk;
  }

  /** Copies from now on share nothing with the last one, and its source is not kept. */
  forgetSource(): void {
    this.#last.source = undefined;
    this.#last.chunk = undefined;
  }

  /** The last copy: where it came from and where it went. */
  readonly #last: {
    source: Uint8Array | undefined;
    start: number;
    size: number;
    chunk: Chunk | undefined;
    offset: number;
  } = { source: undefined, start: 0, size: 0, chunk: undefined, offset: 0 };

  #copy(data: Uint8Array, start: number, size: number): Chunk {
    let chunk: Chunk;
    if (size > this.#largest / 4) {
      chunk = { bytes: new Uint8Array(size), holders: 0 };
      this.offset = 0;
    } else {
      if (this.#chunk === undefined || this.#used + size > this.#chunk.bytes.length) {
        this.#chunk = this.#spares.pop() ?? this.#newChunk(size);
        this.#used = 0;
      }
      chunk = this.#chunk;
      this.offset = this.#used;
      this.#used += size;
    }
    chunk.holders++;
    const to = chunk.bytes;
    const at = this.offset;
    if (size < 64) for (let k = 0; k < size; k++) to[at + k] = data[start + k];
    else to.set(data.subarray(start, start + size), at);
    return chunk;
  }

  /** An entry no longer holds bytes in `chunk`. */
  release(chunk: Chunk): void {
    if (--chunk.holders > 0 || chunk === this.#chunk) return;
    if (chunk.bytes.length === this.#largest && this.#spares.length < SPARES)
      this.#spares.push(chunk);
  }

  #newChunk(size: number): Chunk {
    let bytes = this.#next;
    while (bytes < size) bytes *= 2;
    this.#next = Math.min(this.#largest, 2 * bytes);
    return { bytes: new Uint8Array(bytes), holders: 0 };
  }
}
