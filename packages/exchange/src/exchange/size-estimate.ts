/**
 * A cheap estimate of the bytes a message value keeps alive, for the message log's byte budget.
 * It runs at every hop of every message, so it is O(1) for primitives, strings and binary data,
 * and walks arrays and objects only up to `MAX_PARTS` items and properties and `MAX_DEPTH`
 * levels: a value with more is not measured but reported as unmeasured, which callers treat as
 * over any limit.
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

/** Levels of nesting an estimate follows; a deeper value is unmeasured. */
export const MAX_DEPTH = 64;

// Parts the walk in progress may still visit. Module state, saved and restored around each
// walk, so a getter that logs a message while being measured cannot corrupt the outer walk.
let partsLeft = 0;

/**
 * Roughly the bytes `value` keeps alive: strings by length, typed arrays and buffers by
 * `byteLength`, arrays and objects as the sum of their parts plus a header per container.
 * Shared and repeated parts are counted each time they are reached (an over-estimate).
 * @param value - any value; getters and proxies may run, and any error they throw is caught.
 * @param limit - the walk stops once the estimate passes it: the result is then a lower bound.
 * @returns the estimate in bytes (at most `limit`, or a lower bound above it); or, when the walk
 *   gave up (more than `MAX_PARTS` parts, more than `MAX_DEPTH` levels, or reading the value
 *   threw), the bytes counted so far negated: a negative result means unmeasured, and
 *   `-result` is still a lower bound.
 */
export function estimateSize(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return primitiveSize(value);
  const outer = partsLeft;
  partsLeft = MAX_PARTS;
  let bytes: number;
  try {
    bytes = measure(value, limit, 0);
  } catch {
    bytes = -OBJECT; // a throwing getter or a revoked proxy: unmeasured
  }
  partsLeft = outer;
  return bytes;
}

/** A primitive's bytes, or a function's. */
function primitiveSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return SLOT + STRING + value.length;
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'object': // null
      return SLOT;
    case 'bigint':
    case 'symbol':
    case 'function':
      return SLOT + OPAQUE;
  }
}

/**
 * One item or property value beyond the slot its container counted: numbers nothing more,
 * strings their length, objects their walk (negative: gave up, as `measure`).
 */
function partSize(v: unknown, limit: number, depth: number): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return STRING + v.length;
  if (typeof v === 'object' && v !== null) return measure(v, limit, depth + 1);
  return primitiveSize(v) - SLOT;
}

// Recursive, but at most MAX_DEPTH deep, and MAX_PARTS bounds the whole walk, cycles included.
// Returns as estimateSize does.
function measure(node: object, limit: number, depth: number): number {
  if (depth > MAX_DEPTH) return -OBJECT;
  let bytes = OBJECT;
  if (Array.isArray(node)) {
    const items = node as unknown[];
    bytes += SLOT * items.length;
    // Known before visiting: a long array gives up at once, counted as its slots.
    if ((partsLeft -= items.length) < 0) return -bytes;
    for (let i = 0; i < items.length && bytes <= limit; i++) {
      const b = partSize(items[i], limit - bytes, depth);
      if (b < 0) return b - bytes;
      bytes += b;
    }
    return bytes;
  }
  if (Object.getPrototypeOf(node) !== Object.prototype) {
    if (ArrayBuffer.isView(node) || node instanceof ArrayBuffer) return bytes + node.byteLength;
    if (node instanceof Map || node instanceof Set) return collection(node, limit, depth);
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    if (--partsLeft < 0) return -bytes;
    bytes += PROPERTY + key.length;
    const b = partSize(record[key], limit - bytes, depth);
    if (b < 0) return b - bytes;
    bytes += b;
    if (bytes > limit) break;
  }
  return bytes;
}

/** A Map's keys and values, or a Set's values, measured as an array of them. */
function collection(node: Map<unknown, unknown> | Set<unknown>, limit: number, depth: number) {
  const count = node instanceof Map ? 2 * node.size : node.size;
  if (count > partsLeft) return -(OBJECT + SLOT * count); // before copying them out
  const parts = node instanceof Map ? [...node.keys(), ...node.values()] : [...node.values()];
  const bytes = measure(parts, limit, depth);
  return bytes < 0 ? bytes - OBJECT : bytes + OBJECT;
}
