/**
 * The wire's data model is JSON's (spec/protocol.md, "Values"). JSON text can hold nothing else,
 * but MessagePack can (binary, timestamps, extension types, NaN, undefined), and a JavaScript
 * value can be anything: these checks keep the MessagePack codec to the same model as the JSON
 * one, so that a frame decodes to the same value whichever codec carried it.
 */

/** Deeper values count as unencodable here, which also stops a cycle; JSON.stringify decides. */
const MAX_ENCODE_DEPTH = 512;

/**
 * True if `v` is a JSON value made of plain parts: null, booleans, finite numbers, strings,
 * arrays, and objects whose prototype is `Object.prototype`, none with a `constructor` key that
 * holds a `prototype` (what secure-json-parse rejects in JSON text). For decoded MessagePack.
 * @param v - a decoded value.
 */
export function isJsonValue(v: unknown): boolean {
  const type = typeof v;
  if (type === 'string' || type === 'boolean') return true;
  if (type === 'number') return Number.isFinite(v);
  if (type !== 'object') return false;
  if (v === null) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isJsonValue(v[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const x = o[key];
    if (!isJsonValue(x) || (key === 'constructor' && hasOwnPrototype(x))) return false;
  }
  return true;
}

/**
 * Where and why `v` is not a JSON value, e.g. `frames[0].env.value.at: a Date`; `undefined` if
 * it is one. The slow explanation for an error message, after `isJsonValue` said no.
 * @param v - a decoded value.
 * @param path - the path of `v` in the batch.
 */
export function jsonProblem(v: unknown, path: string): string | undefined {
  if (isJsonValue(v)) return undefined;
  if (typeof v === 'number') return `${path}: ${v} is not a JSON number`;
  if (typeof v !== 'object' || v === null) return `${path}: ${typeof v} is not a JSON value`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], `${path}[${i}]`);
      if (p !== undefined) return p;
    }
    return `${path}: not a JSON value`;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype) return `${path}: ${nameOf(proto)} is not a JSON value`;
  for (const [key, x] of Object.entries(v)) {
    if (key === 'constructor' && hasOwnPrototype(x))
      return `${path}.constructor: holds a prototype (prototype pollution)`;
    const p = jsonProblem(x, `${path}.${key}`);
    if (p !== undefined) return p;
  }
  return `${path}: not a JSON value`;
}

/**
 * True if `v` encodes to exactly what JSON.stringify would give: as `isJsonValue`, but an object
 * property whose value is `undefined` is allowed (both codecs leave it out). A false answer
 * sends the frame through JSON.stringify first (Date to its ISO string, undefined in an array
 * to null, NaN to null; BigInt and cycles throw).
 * @param v - a value about to be encoded.
 * @param depth - how deep `v` sits; start with 0.
 */
export function isEncodable(v: unknown, depth: number): boolean {
  const type = typeof v;
  if (type === 'string' || type === 'boolean') return true;
  if (type === 'number') return Number.isFinite(v);
  if (type !== 'object') return false;
  if (v === null) return true;
  if (depth > MAX_ENCODE_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isEncodable(v[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const x = o[key];
    if (x !== undefined && !isEncodable(x, depth + 1)) return false;
  }
  return true;
}

/** True if any map in `v` (decoded with maps as `Map`s) has the key `__proto__`. */
export function hasProtoKey(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (v instanceof Map) {
    for (const [key, x] of v) if (key === '__proto__' || hasProtoKey(x)) return true;
    return false;
  }
  if (Array.isArray(v)) return v.some(hasProtoKey);
  return false;
}

function hasOwnPrototype(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype');
}

function nameOf(proto: unknown): string {
  if (proto === null) return 'an object without a prototype';
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' ? `a ${ctor.name}` : 'an object of a class';
}
