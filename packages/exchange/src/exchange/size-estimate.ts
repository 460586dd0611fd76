/**
 * A cheap estimate of the bytes a message value keeps alive, for the message log's byte budget.
 * It runs at every hop of every message, so it is O(1) for primitives, strings and binary data,
 * and walks arrays and objects only up to `MAX_PARTS` items and properties: a value with more
 * is not measured but reported as unmeasured, which callers treat as over any limit.
 *
 * @example
 * estimateSize('x'.repeat(1000), 1 << 20); // 1024: a string costs its length, a header, a slot
 * estimateSize(new Array(1e6).fill(0), 1 << 20); // -8000024: unmeasured (too many items), ≥ 8 MB
 */

/** Items and properties an estimate visits at most; a value with more is unmeasured. */
export const MAX_PARTS = 4096;

/** A slot holding a number, boolean, null or a pointer. */
const SLOT = 8;
/** An object's or array's own header. */
const OBJECT = 24;
/** A string's header (its characters are counted at one byte each). */
const STRING = 16;
/** A property: the slot for its value and a share of the object's key storage. */
const PROPERTY = 16;
/** BigInts, symbols and functions: counted as small, their size is not cheap to read. */
const OPAQUE = 32;

/**
 * Roughly the bytes `value` keeps alive: strings by length, typed arrays and buffers by
 * `byteLength`, arrays and objects as the sum of their parts plus a header per container.
 * Shared and repeated parts are counted each time they are reached (an over-estimate).
 * @param value - any value; getters and proxies may run, and any error they throw is caught.
 * @param limit - the walk stops once the estimate passes it: the result is then a lower bound.
 * @returns the estimate in bytes (at most `limit`, or a lower bound above it); or, when the walk
 *   gave up (more than `MAX_PARTS` parts, or reading the value threw), the bytes counted so far
 *   negated: a negative result means unmeasured, and `-result` is still a lower bound.
 */
export function estimateSize(value: unknown, limit: number): number {
  if (typeof value === 'object' && value !== null) return walk(value, limit);
  return primitiveSize(value);
}

/** A primitive's bytes, or a function's. */
function primitiveSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return SLOT + STRING + value.length;
    case 'number':
    case 'boolean':
    case 'undefined':
      return SLOT;
    case 'object': // null
      return SLOT;
    case 'bigint':
    case 'symbol':
    case 'function':
      return SLOT + OPAQUE;
  }
}

// Iterative, with an explicit stack: a deeply nested value cannot overflow the call stack, and
// the part count bounds the whole walk, cycles included.
function walk(root: object, limit: number): number {
  const pending: object[] = [root];
  let bytes = 0;
  let parts = 0;
  try {
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (ArrayBuffer.isView(node) || node instanceof ArrayBuffer) {
        bytes += OBJECT + node.byteLength;
      } else if (Array.isArray(node)) {
        const items = node as unknown[];
        bytes += OBJECT + SLOT * items.length;
        // Known before visiting: a long array gives up at once, counted as its slots.
        if ((parts += items.length) > MAX_PARTS) return gaveUp(bytes);
        for (let i = 0; i < items.length; i++) bytes += part(items[i], pending);
      } else if (node instanceof Map || node instanceof Set) {
        bytes += OBJECT + 2 * PROPERTY * node.size;
        if ((parts += 2 * node.size) > MAX_PARTS) return gaveUp(bytes);
        if (node instanceof Map)
          for (const [k, v] of node as Map<unknown, unknown>)
            bytes += part(k, pending) + part(v, pending);
        else for (const v of node as Set<unknown>) bytes += part(v, pending);
      } else {
        bytes += OBJECT;
        const record = node as Record<string, unknown>;
        for (const key in record) {
          if (++parts > MAX_PARTS) return gaveUp(bytes);
          bytes += PROPERTY + key.length + part(record[key], pending);
        }
      }
      if (bytes > limit) return bytes;
    }
  } catch {
    return gaveUp(bytes); // a throwing getter or a revoked proxy: unmeasured
  }
  return bytes;
}

/**
 * A part's bytes beyond the slot its container already counted: 0 for a number, boolean or
 * null; 0 for an object too, which is queued on `pending` and counted when visited.
 */
function part(value: unknown, pending: object[]): number {
  if (typeof value === 'object' && value !== null) {
    pending.push(value);
    return 0;
  }
  return primitiveSize(value) - SLOT;
}

/** Unmeasured: the negated lower bound (at least one object header, so always below 0). */
function gaveUp(bytes: number): number {
  return -Math.max(bytes, OBJECT);
}
