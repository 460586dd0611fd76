/**
 * A strict MessagePack reader for the JSON data model, in one pass: it builds plain arrays and
 * objects and refuses, as it reads, whatever JSON could not hold or the protocol forbids (binary,
 * extension types, NaN and ±Infinity, truncated input, trailing bytes, a `__proto__` key, a
 * `constructor` holding a `prototype`), so that nothing needs a second walk. Integer and boolean
 * map keys become strings (spec/protocol.md, 11.2). Errors are BAD_FRAME, for the whole batch.
 *
 * @example
 * readMsgpack(new Uint8Array([0x91, 0x81, 0xa1, 0x74, 0xa4, 0x70, 0x69, 0x6e, 0x67])); // [{ t: 'ping' }]
 */
import type { ENVELOPE_FIELDS } from '../exchange/index.js';
import { badFrame } from './problems.js';

/** Deeper values are refused (the spec asks receivers to take at least 64 levels). */
export const MAX_READ_DEPTH = 512;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a leading U+FEFF is data
let src: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;

/**
 * Node's Buffer (what `ws` hands over) decodes a range of itself to a string with no view made
 * per string, in about half the time of TextDecoder here. It replaces what is not UTF-8 with
 * U+FFFD where TextDecoder (fatal) throws, so a string holding U+FFFD is decoded again by
 * TextDecoder to tell the two apart. Browsers have no such method: TextDecoder does it all.
 */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}
/** `src` when it can slice itself, else undefined. */
let slicing: Utf8Slicing | undefined;
const canSlice = (bytes: Uint8Array): boolean =>
  typeof (bytes as Partial<Utf8Slicing>).utf8Slice === 'function';

/**
 * Decode one MessagePack value that must fill `bytes` exactly.
 * @param bytes - one transport message.
 * @returns the value: JSON data only.
 * @throws {ExchangeError} `BAD_FRAME` naming what is wrong.
 */
export function readMsgpack(bytes: Uint8Array): unknown {
  return readWhole(bytes, read);
}

/**
 * Decode a batch of frames as `readMsgpack` does, with one difference: the envelope of each
 * frame is read into one fixed shape, every field of `Envelope` in `cloneEnvelope`'s order (the
 * ones it lacks `undefined`, the ones this version does not know dropped, as spec/protocol.md §4
 * allows), and each trace hop into `{ ex, at }`. Envelopes made here and those made by the
 * exchange then share one shape, and the code that routes them stays monomorphic.
 * @param bytes - one transport message.
 * @returns what it holds (an array of frames if it is well formed; the validator checks).
 * @throws {ExchangeError} `BAD_FRAME` naming what is wrong.
 */
export function readBatch(bytes: Uint8Array, spans?: number[], compact = false): unknown {
  envelopeSpans = spans;
  compactFrames = compact;
  try {
    return readWhole(bytes, readFrames);
  } finally {
    envelopeSpans = undefined;
    compactFrames = false;
  }
}

/**
 * Decode one envelope, written as the batch writer writes one inside a frame, into the shape
 * `readBatch` gives. For bytes that were checked when they arrived (the message log's copies):
 * the envelope is not validated again.
 */
export function readEnvelopeBytes(bytes: Uint8Array): unknown {
  return readWhole(bytes, readEnvelope);
}

/**
 * Decode one envelope in the `msgpack-compact` form (`[present, ...fields]`), as
 * `readEnvelopeBytes` does the map form.
 */
export function readCompactEnvelopeBytes(bytes: Uint8Array): unknown {
  return readWhole(bytes, readCompactEnvelope);
}

/** The batch is `msgpack-compact`: a frame that is an array is a `msg` frame `[mode, env]`. */
let compactFrames = false;

/** Where `readBatch` notes the envelope of frame i: bytes [spans[2i], spans[2i + 1]), or -1. */
let envelopeSpans: number[] | undefined;
let frameIndex = 0;

function readWhole(bytes: Uint8Array, readValue: (depth: number) => unknown): unknown {
  src = bytes;
  slicing = canSlice(bytes) ? (bytes as unknown as Utf8Slicing) : undefined;
  pos = 0;
  end = bytes.length;
  try {
    if (end === 0) throw bad('is empty');
    const v = readValue(0);
    if (pos !== end) throw bad(`has ${end - pos} bytes after the value`);
    return v;
  } finally {
    src = EMPTY; // do not keep the message alive
    slicing = undefined;
    lastId = '';
  }
}

const EMPTY = new Uint8Array(0);

const bad = (problem: string) => badFrame(-1, '', problem);
const notJson = (what: string) =>
  bad(`holds a value outside the JSON data model: ${what} is not a JSON value`);

/** Room for `n` more bytes, or the input is cut short. */
function need(n: number): void {
  if (n > end - pos) throw bad('is not valid MessagePack: cut short');
}

function read(depth: number): unknown {
  need(1);
  const b = src[pos++];
  if (b < 0x80) return b;
  if (b < 0x90) return readMap(b & 0x0f, depth);
  if (b < 0xa0) return readArray(b & 0x0f, depth);
  if (b < 0xc0) return readString(b & 0x1f);
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xca:
      return finite(4);
    case 0xcb:
      return finite(8);
    case 0xcc:
    case 0xcd:
    case 0xce:
      return unsigned(1 << (b - 0xcc));
    case 0xcf:
      return unsigned(4) * 0x100000000 + unsigned(4);
    case 0xd0:
    case 0xd1:
    case 0xd2:
      return signed(1 << (b - 0xd0));
    case 0xd3:
      return signed(4) * 0x100000000 + unsigned(4);
    case 0xd9:
      return readString(unsigned(1));
    case 0xda:
      return readString(unsigned(2));
    case 0xdb:
      return readString(unsigned(4));
    case 0xdc:
      return readArray(unsigned(2), depth);
    case 0xdd:
      return readArray(unsigned(4), depth);
    case 0xde:
      return readMap(unsigned(2), depth);
    case 0xdf:
      return readMap(unsigned(4), depth);
    case 0xc4:
    case 0xc5:
    case 0xc6:
      throw notJson('binary');
    case 0xc1:
      throw bad('is not valid MessagePack: byte 0xc1 is never used');
    default:
      throw notJson(`an extension type`); // 0xc7-0xc9, 0xd4-0xd8: timestamps, undefined, records
  }
}

/** An unsigned integer of `size` (1, 2 or 4) bytes, big-endian; also the length fields. */
function unsigned(size: number): number {
  need(size);
  const p = pos;
  pos += size;
  if (size === 1) return src[p];
  if (size === 2) return (src[p] << 8) | src[p + 1];
  return src[p] * 0x1000000 + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
}

function signed(size: number): number {
  const v = unsigned(size);
  const bits = 8 * size;
  return v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
}

/** Floats go through a scratch buffer: no DataView per message. */
const scratch = new DataView(new ArrayBuffer(8));

function finite(size: number): number {
  need(size);
  for (let i = 0; i < size; i++) scratch.setUint8(i, src[pos + i]);
  pos += size;
  const v = size === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0);
  if (!Number.isFinite(v)) throw notJson(String(v));
  return v;
}

function readArray(n: number, depth: number): unknown[] {
  // Every element takes a byte at least: a longer array is cut short (and would not fit).
  need(n);
  if (depth >= MAX_READ_DEPTH) throw bad(`is nested over ${MAX_READ_DEPTH} levels deep`);
  const a = new Array<unknown>(n);
  for (let i = 0; i < n; i++) a[i] = read(depth + 1);
  return a;
}

function readMap(n: number, depth: number): Record<string, unknown> {
  need(2 * n);
  if (depth >= MAX_READ_DEPTH) throw bad(`is nested over ${MAX_READ_DEPTH} levels deep`);
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = readKey(depth + 1);
    const v = read(depth + 1);
    checkKey(key, v);
    o[key] = v;
  }
  return o;
}

function checkKey(key: string, v: unknown): void {
  if (key === '__proto__') throw bad('has a __proto__ key (prototype pollution)');
  if (key === 'constructor' && holdsPrototype(v))
    throw bad('has a constructor key holding a prototype (prototype pollution)');
}

/** The entry count of the map header at `pos` (consumed), or -1 if no map starts there. */
const mapHeader = () => header(0x80, 0xde);
/** The entry count of the array header at `pos` (consumed), or -1 if no array starts there. */
const arrayHeader = () => header(0x90, 0xdc);

/** A fix form (`fix` to `fix` + 15) or a 16/32-bit form (`wide16`, `wide16` + 1) header. */
function header(fix: number, wide16: number): number {
  need(1);
  const b = src[pos];
  if (b >= fix && b < fix + 16) {
    pos++;
    return b & 0x0f;
  }
  if (b !== wide16 && b !== wide16 + 1) return -1;
  pos++;
  return unsigned(b === wide16 ? 2 : 4);
}

/** The batch: an array of frames. Anything else is read as it is, for the validator to refuse. */
function readFrames(depth: number): unknown {
  const n = arrayHeader();
  if (n < 0) return read(depth);
  need(n);
  const frames = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    frameIndex = i;
    if (envelopeSpans !== undefined) envelopeSpans[2 * i] = envelopeSpans[2 * i + 1] = -1;
    frames[i] = compactFrames && isArrayNext() ? readCompactFrame(depth + 1) : readFrame(depth + 1);
  }
  return frames;
}

/** An array starts at `pos` (not consumed). */
function isArrayNext(): boolean {
  need(1);
  const b = src[pos];
  return (b >= 0x90 && b < 0xa0) || b === 0xdc || b === 0xdd;
}

/** A frame: a map whose `env`, when it is a map, is read by readEnvelope. */
function readFrame(depth: number): unknown {
  const n = mapHeader();
  if (n < 0) return read(depth);
  need(2 * n);
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = readKey(depth + 1);
    const at = pos;
    const v = key === 'env' ? readEnvelope(depth + 1) : read(depth + 1);
    if (key === 'env' && envelopeSpans !== undefined) {
      envelopeSpans[2 * frameIndex] = at;
      envelopeSpans[2 * frameIndex + 1] = pos;
    }
    checkKey(key, v);
    o[key] = v;
  }
  return o;
}

/** An envelope in its fixed shape (see readBatch); not a map: read as it is. */
function readEnvelope(depth: number): unknown {
  const n = mapHeader();
  if (n < 0) return read(depth);
  need(2 * n);
  const d = depth + 1;
  const env = newEnvelope();
  for (let i = 0; i < n; i++) {
    const key = readKey(d);
    // The usual fields first: internalized keys make each comparison one pointer check.
    switch (key) {
      case 'id':
        env.id = readId(d);
        break;
      case 'kind':
        env.kind = read(d);
        break;
      case 'name':
        env.name = read(d);
        break;
      case 'value':
        env.value = read(d);
        break;
      case 'from':
        env.from = read(d);
        break;
      case 'ts':
        env.ts = read(d);
        break;
      case 'trace':
        env.trace = readTrace(d);
        break;
      case 'start':
        env.start = read(d);
        break;
      case 'to':
        env.to = read(d);
        break;
      case 'cause':
        env.cause = readId(d);
        break;
      case 'corr':
        env.corr = readId(d);
        break;
      case 'deadline':
        env.deadline = read(d);
        break;
      case 'failover':
        env.failover = read(d);
        break;
      case 'headers':
        env.headers = read(d);
        break;
      case 'error':
        env.error = read(d);
        break;
      case 'errorSource':
        env.errorSource = read(d);
        break;
      case 'key':
        env.key = read(d);
        break;
      default:
        checkKey(key, read(d)); // a field this version does not know: checked, then dropped
    }
  }
  return env;
}

// ---- msgpack-compact (spec/protocol.md §11.3) ------------------------------------------------

/** `[mode, env]`: a `msg` frame, as the map form reads it. Elements after those two are dropped. */
function readCompactFrame(depth: number): unknown {
  const n = arrayHeader();
  if (n < 2) throw bad(`holds a msg frame of ${n} elements; it needs 2 (mode, env)`);
  need(n);
  const d = depth + 1;
  const mode = read(d);
  const at = pos;
  const env = readCompactEnvelope(d);
  if (envelopeSpans !== undefined) {
    envelopeSpans[2 * frameIndex] = at;
    envelopeSpans[2 * frameIndex + 1] = pos;
  }
  for (let i = 2; i < n; i++) read(d); // a later version's: checked, then dropped
  return { t: 'msg', env, mode };
}

/** Most fields a `present` mask may name (bits 0-30); this version knows bits 0-16. */
const MAX_PRESENT = 0x7fffffff;

/**
 * `[present, ...fields]`: the fields whose bit is set in `present`, in bit order (the order of
 * ENVELOPE_FIELDS), into readEnvelope's fixed shape. Fields of bits this version does not know
 * come after the known ones: read, then dropped. A map is read as the map form's envelope (the
 * message log reads those back with this too); anything else as it is, for the validator.
 */
function readCompactEnvelope(depth: number): unknown {
  const n = arrayHeader();
  if (n < 0) return readEnvelope(depth);
  if (n === 0) throw bad('holds an envelope with no present mask');
  need(n);
  const d = depth + 1;
  const present = read(d);
  if (!Number.isInteger(present) || (present as number) < 0 || (present as number) > MAX_PRESENT)
    throw bad(`holds an envelope whose present mask is not an integer from 0 to ${MAX_PRESENT}`);
  const bits = present as number;
  const fields = countBits(bits);
  if (fields !== n - 1)
    throw bad(`holds an envelope whose present mask names ${fields} fields, but ${n - 1} follow`);
  const env = newEnvelope();
  if (bits & 0x1) env.id = readId(d);
  if (bits & 0x2) env.kind = read(d);
  if (bits & 0x4) env.name = read(d);
  if (bits & 0x8) env.value = read(d);
  if (bits & 0x10) env.from = read(d);
  if (bits & 0x20) env.to = read(d);
  if (bits & 0x40) env.ts = read(d);
  if (bits & 0x80) env.headers = read(d);
  if (bits & 0x100) env.trace = readCompactTrace(d);
  if (bits & 0x200) env.start = read(d);
  if (bits & 0x400) env.cause = readId(d);
  if (bits & 0x800) env.corr = readId(d);
  if (bits & 0x1000) env.error = read(d);
  if (bits & 0x2000) env.errorSource = read(d);
  if (bits & 0x4000) env.deadline = read(d);
  if (bits & 0x8000) env.failover = read(d);
  if (bits & 0x10000) env.key = read(d);
  for (let later = countBits(bits >>> 17); later > 0; later--) read(d);
  return env;
}

/** Set bits of a 31-bit integer. */
function countBits(v: number): number {
  let count = 0;
  for (; v !== 0; v &= v - 1) count++;
  return count;
}

/** Trace hops from `[ex, at, ex, at, ...]` into `{ ex, at }`; not an array: read as it is. */
function readCompactTrace(depth: number): unknown {
  const n = arrayHeader();
  if (n < 0) return read(depth);
  if (n % 2 !== 0) throw bad(`holds a trace of ${n} elements; it must be ex, at pairs`);
  need(n);
  const d = depth + 1;
  const trace = new Array<unknown>(n / 2);
  for (let i = 0; i < n / 2; i++) {
    const hop = newHop();
    hop.ex = read(d);
    hop.at = read(d);
    trace[i] = hop;
  }
  return trace;
}

/**
 * An envelope with every field, in cloneEnvelope's order (src/exchange/envelope.ts), all
 * undefined: both readers make theirs here, so they share one shape, and fields stay general
 * (a literal holding a number would box each number stored into it again).
 */
function newEnvelope() {
  return {
    id: undefined as unknown,
    kind: undefined as unknown,
    name: undefined as unknown,
    value: undefined as unknown,
    from: undefined as unknown,
    to: undefined as unknown,
    ts: undefined as unknown,
    headers: undefined as unknown,
    trace: undefined as unknown,
    start: undefined as unknown,
    cause: undefined as unknown,
    corr: undefined as unknown,
    error: undefined as unknown,
    errorSource: undefined as unknown,
    deadline: undefined as unknown,
    failover: undefined as unknown,
    key: undefined as unknown,
  } satisfies Record<(typeof ENVELOPE_FIELDS)[number], unknown>;
}

/** A trace hop, made as `newEnvelope` makes envelopes. */
const newHop = () => ({ ex: undefined as unknown, at: undefined as unknown });

/** Trace hops as `{ ex, at }`; what is not an array of maps is read as it is. */
function readTrace(depth: number): unknown {
  const n = arrayHeader();
  if (n < 0) return read(depth);
  need(n);
  const trace = new Array<unknown>(n);
  for (let i = 0; i < n; i++) trace[i] = readHop(depth + 1);
  return trace;
}

function readHop(depth: number): unknown {
  const n = mapHeader();
  if (n < 0) return read(depth);
  need(2 * n);
  const hop = newHop();
  for (let i = 0; i < n; i++) {
    const key = readKey(depth + 1);
    const v = read(depth + 1);
    if (key === 'ex') hop.ex = v;
    else if (key === 'at') hop.at = v;
    else checkKey(key, v); // dropped, but refused as any map's would be
  }
  return hop;
}

function holdsPrototype(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype');
}

function readKey(depth: number): string {
  need(1);
  const b = src[pos];
  if (b >= 0xa0 && b < 0xc0) {
    pos++;
    return readString(b & 0x1f, true);
  }
  const key = read(depth);
  if (typeof key === 'string') return key;
  // Integer and boolean keys become strings, as msgpackr has always read them.
  if (Number.isInteger(key) || typeof key === 'boolean') return String(key);
  throw bad(`has a map key that is not a string (${key === null ? 'nil' : typeof key})`);
}

/**
 * Short ASCII strings come again and again (keys, kinds, names, exchange ids): each is made
 * once and kept in a small hash table, so reading them makes no garbage. A miss costs a hash.
 */
const CACHED_LENGTH = 32;
const CACHE_SLOTS = 4096;
const cache = new Array<string>(CACHE_SLOTS).fill('');

/**
 * A message id (`id`, `cause`, `corr`): each is new, so the string cache is passed by (it would
 * only hash, miss, and put an id where a name was). Anything but a str is read as it is.
 */
function readId(depth: number): unknown {
  need(1);
  const b = src[pos];
  if (b < 0xa0 || b >= 0xc0 || b === 0xa0) return read(depth);
  pos++;
  const n = b & 0x1f;
  need(n);
  const p = pos;
  pos += n;
  // A reply's `corr` repeats its `cause` (the request's id): one string for both.
  if (n === lastId.length && sameAscii(lastId, p)) return lastId;
  const id = decode(p, n);
  lastId = id.length === n ? id : ''; // ASCII only, as the string cache keeps
  return id;
}

/** The last id `readId` made, in the message being read (`readWhole` clears it). */
let lastId = '';

/** A string of `n` bytes; `isKey`: one made now is internalized, as property keys are. */
function readString(n: number, isKey = false): string {
  need(n);
  const p = pos;
  pos += n;
  if (n > CACHED_LENGTH || n === 0) return decode(p, n);
  // A cheap hash of the length and three bytes; the comparison below does the real work.
  const h = Math.imul(n, 0x9e3779b1) ^ (src[p] << 14) ^ (src[p + (n >> 1)] << 7) ^ src[p + n - 1];
  const slot = (h ^ (h >>> 11)) & (CACHE_SLOTS - 1);
  const known = cache[slot];
  if (known.length === n && sameAscii(known, p)) return known;
  const s = decode(p, n);
  // Only ASCII is kept (then a match of char codes and bytes is a match of strings).
  if (s.length === n) cache[slot] = isKey ? internalize(s) : s;
  return s;
}

function sameAscii(s: string, p: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== src[p + i]) return false;
  return true;
}

/** The engine's own copy of a string used as a property key: stores with it take the fast path. */
function internalize(s: string): string {
  for (const key in { [s]: 0 }) return key;
  return s;
}

function decode(p: number, n: number): string {
  if (slicing !== undefined) {
    const s = slicing.utf8Slice(p, p + n);
    if (s.indexOf('\uFFFD') < 0) return s;
  }
  try {
    return utf8.decode(src.subarray(p, p + n));
  } catch (e) {
    throw badFrame(-1, '', 'holds a string that is not valid UTF-8', e);
  }
}
