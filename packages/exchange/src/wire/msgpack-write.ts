/**
 * A MessagePack writer for the JSON data model (spec/protocol.md, "Values"), in one pass: it
 * writes null, booleans, finite numbers, strings, arrays and plain objects, leaves out object
 * properties whose value is `undefined`, and gives up (`NOT_PLAIN`) on anything JSON.stringify
 * would have to convert (a Date, NaN, a class instance, a BigInt, a cycle), so that the caller
 * can convert that frame first. Output goes into a chunk shared by successive messages: each
 * message is a view of its own bytes, never written again.
 *
 * @example
 * writeMsgpack([{ t: 'ping', n: 1 }]); // Uint8Array 91 82 a1 74 a4 70 69 6e 67 a1 6e 01
 */

import { ENVELOPE_FIELDS } from '../exchange/index.js';

/**
 * Thrown (the same object each time: no stack to capture) when a value needs JSON.stringify's
 * conversions first. Not the caller's mistake: the codec converts and writes again.
 */
export const NOT_PLAIN = new Error('not plain JSON data: convert it first');

/** Deeper values are given up on, which also stops a cycle (JSON.stringify then decides). */
export const MAX_WRITE_DEPTH = 512;

/** The smallest chunk; chunks grow to hold a few of the largest recent messages. */
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;
/** Strings at least this long go through TextEncoder; shorter ones are written by hand. */
const LONG_STRING = 64;

const utf8 = new TextEncoder();

/**
 * In Node, a Buffer over the chunk writes a long string into it with no view made per string
 * (about 2/3 of encodeInto's time here). The chunk itself stays a plain Uint8Array: views of a
 * Buffer are made through its constructor, which cost more than the write saved. Browsers have
 * no Buffer: encodeInto.
 */
interface Utf8Writing {
  utf8Write(s: string, offset: number): number;
}
interface BufferMaker {
  from(memory: ArrayBufferLike, offset: number, length: number): Utf8Writing;
}
const NodeBuffer = (globalThis as unknown as { Buffer?: BufferMaker }).Buffer;
const writesUtf8 =
  typeof NodeBuffer?.from(new ArrayBuffer(1), 0, 1).utf8Write === 'function'
    ? NodeBuffer
    : undefined;

let chunkSize = MIN_CHUNK;
let buf: Uint8Array = new Uint8Array(chunkSize);
let view: DataView = new DataView(buf.buffer);
/** `buf` as a Node Buffer (the same memory), or undefined. */
let bufWriter = writesUtf8?.from(buf.buffer, 0, buf.length);
let start = 0;
let pos = 0;
/** A getter on a plain object could encode from inside an encode: that call gives up. */
let busy = false;

/**
 * Encode `v` as one MessagePack value.
 * @param v - the value: plain JSON data, `undefined` properties allowed.
 * @returns its bytes, a view that no later call overwrites.
 * @throws `NOT_PLAIN` if `v` holds anything else (or is nested over MAX_WRITE_DEPTH).
 */
export function writeMsgpack(v: unknown): Uint8Array {
  return writeWhole(v, write);
}

/**
 * Encode a batch of frames as `writeMsgpack` does, the envelopes of `msg` frames by a writer
 * that knows their fields: each key's bytes are made once, and fields this version does not
 * know are left out (spec/protocol.md §4), as are trace hops' fields other than `ex` and `at`.
 * @param frames - the batch: plain JSON data, `undefined` properties allowed.
 * @returns its bytes, a view that no later call overwrites.
 * @throws `NOT_PLAIN` as `writeMsgpack` does.
 */
export function writeBatch(frames: readonly unknown[], compact = false): Uint8Array {
  return writeWhole(frames, compact ? writeCompactFrames : writeFrames);
}

/**
 * Encode one envelope as a batch would carry it (`compact`: as `msgpack-compact` does, else as
 * `msgpack`), for the message log to keep as bytes; `readEnvelopeBytes` or
 * `readCompactEnvelopeBytes` reads it back.
 * @returns its bytes, a view that no later call overwrites.
 * @throws `NOT_PLAIN` as `writeMsgpack` does.
 */
export function writeEnvelopeBytes(env: object, compact: boolean): Uint8Array {
  return writeWhole(env as EnvelopeFields, compact ? writeLoggedCompact : writeEnvelope);
}

/** A compact envelope, or the map form where its trace is not plain (as a batch writes it). */
function writeLoggedCompact(env: EnvelopeFields, depth: number): void {
  if (isPlainTrace(env.trace)) writeCompactEnvelope(env, depth);
  else writeEnvelope(env, depth);
}

function writeWhole<T>(v: T, writeValue: (v: T, depth: number) => void): Uint8Array {
  if (busy) throw NOT_PLAIN;
  busy = true;
  start = pos;
  try {
    if (buf.length - pos < 1024) newChunk(chunkSize);
    writeValue(v, 0);
  } catch (e) {
    pos = start;
    throw e;
  } finally {
    busy = false;
  }
  const size = pos - start;
  if (size * 4 > chunkSize && chunkSize < MAX_CHUNK) chunkSize = Math.min(MAX_CHUNK, size * 4);
  return buf.subarray(start, pos);
}

/** A new chunk of at least `size` bytes, holding the message written so far at its start. */
function newChunk(size: number): void {
  const sofar = buf.subarray(start, pos);
  buf = new Uint8Array(Math.max(size, chunkSize));
  view = new DataView(buf.buffer);
  bufWriter = writesUtf8?.from(buf.buffer, 0, buf.length);
  buf.set(sofar);
  pos -= start;
  start = 0;
}

/** Room for `n` more bytes. Positions move on a new chunk: keep them relative to `start`. */
function ensure(n: number): void {
  if (pos + n > buf.length) newChunk(2 * (pos - start + n));
}

function write(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      return writeString(v);
    case 'number':
      return writeNumber(v);
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'object':
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xc0;
        return;
      }
      if (depth >= MAX_WRITE_DEPTH) throw NOT_PLAIN;
      if (Array.isArray(v)) return writeArray(v, depth);
      if (Object.getPrototypeOf(v) !== Object.prototype) throw NOT_PLAIN;
      return writeMap(v as Record<string, unknown>, depth);
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      // undefined outside an object, a function, a symbol, a BigInt: JSON.stringify decides.
      throw NOT_PLAIN;
  }
}

/** A frame as the envelope writer needs it; anything else goes through `write`. */
interface MsgFrame {
  t: unknown;
  env: EnvelopeFields;
  mode: unknown;
}

/** An envelope as the writer reads it: any of its fields may be missing or of any type. */
type EnvelopeFields = Partial<Record<(typeof ENVELOPE_FIELDS)[number], unknown>>;

function writeFrames(frames: readonly unknown[], depth: number): void {
  const n = frames.length;
  writeHeader(n, 0x90, 0xdc);
  for (let i = 0; i < n; i++) {
    const f = frames[i] as MsgFrame;
    if (isMsgFrame(f)) writeMsgFrame(f, depth + 1);
    else write(f, depth + 1);
  }
}

/**
 * `msgpack-compact` (spec/protocol.md §11.3): a `msg` frame of a plain envelope with a plain
 * trace as `[mode, env]`, its envelope as `[present, ...fields]`; any other frame as a map.
 */
function writeCompactFrames(frames: readonly unknown[], depth: number): void {
  const n = frames.length;
  writeHeader(n, 0x90, 0xdc);
  for (let i = 0; i < n; i++) {
    const f = frames[i] as MsgFrame;
    if (!isMsgFrame(f)) write(f, depth + 1);
    else if (!isPlainTrace(f.env.trace)) writeMsgFrame(f, depth + 1);
    else {
      ensure(1);
      buf[pos++] = 0x92;
      writeNumber(f.mode as number);
      writeCompactEnvelope(f.env, depth + 2);
    }
  }
}

/** An array of `{ ex: string, at: number }` (the only trace the compact form can carry). */
function isPlainTrace(trace: unknown): boolean {
  if (!Array.isArray(trace)) return false;
  for (let i = 0; i < trace.length; i++) {
    const hop = trace[i] as { ex: unknown; at: unknown };
    if (typeof hop !== 'object' || hop === null) return false;
    if (typeof hop.ex !== 'string' || typeof hop.at !== 'number') return false;
  }
  return true;
}

/** `[present, ...fields]`: bit i of `present` set when field i of ENVELOPE_FIELDS follows. */
function writeCompactEnvelope(env: EnvelopeFields, depth: number): void {
  const present =
    (env.id !== undefined ? 0x1 : 0) |
    (env.kind !== undefined ? 0x2 : 0) |
    (env.name !== undefined ? 0x4 : 0) |
    (env.value !== undefined ? 0x8 : 0) |
    (env.from !== undefined ? 0x10 : 0) |
    (env.to !== undefined ? 0x20 : 0) |
    (env.ts !== undefined ? 0x40 : 0) |
    (env.headers !== undefined ? 0x80 : 0) |
    0x100 | // the trace: checked plain by the caller
    (env.start !== undefined ? 0x200 : 0) |
    (env.cause !== undefined ? 0x400 : 0) |
    (env.corr !== undefined ? 0x800 : 0) |
    (env.error !== undefined ? 0x1000 : 0) |
    (env.errorSource !== undefined ? 0x2000 : 0) |
    (env.deadline !== undefined ? 0x4000 : 0) |
    (env.failover !== undefined ? 0x8000 : 0) |
    (env.key !== undefined ? 0x10000 : 0);
  let count = 1;
  for (let v = present; v !== 0; v &= v - 1) count++;
  writeHeader(count, 0x90, 0xdc);
  writeNumber(present);
  const d = depth + 1;
  if (present & 0x1) write(env.id, d);
  if (present & 0x2) write(env.kind, d);
  if (present & 0x4) write(env.name, d);
  if (present & 0x8) write(env.value, d);
  if (present & 0x10) write(env.from, d);
  if (present & 0x20) write(env.to, d);
  if (present & 0x40) write(env.ts, d);
  if (present & 0x80) write(env.headers, d);
  writeCompactTrace(env.trace as readonly { ex: string; at: number }[]);
  if (present & 0x200) write(env.start, d);
  if (present & 0x400) write(env.cause, d);
  if (present & 0x800) write(env.corr, d);
  if (present & 0x1000) write(env.error, d);
  if (present & 0x2000) write(env.errorSource, d);
  if (present & 0x4000) write(env.deadline, d);
  if (present & 0x8000) write(env.failover, d);
  if (present & 0x10000) write(env.key, d);
}

/** `[ex, at, ex, at, ...]`. */
function writeCompactTrace(trace: readonly { ex: string; at: number }[]): void {
  const n = trace.length;
  writeHeader(2 * n, 0x90, 0xdc);
  for (let i = 0; i < n; i++) {
    const hop = trace[i];
    writeString(hop.ex);
    writeNumber(hop.at);
  }
}

/** A `msg` frame of a plain envelope, with no fields but `t`, `env` and `mode`. */
function isMsgFrame(f: MsgFrame): boolean {
  if (typeof f !== 'object' || f === null || f.t !== 'msg' || typeof f.mode !== 'number')
    return false;
  const env = f.env;
  if (typeof env !== 'object' || env === null || Object.getPrototypeOf(env) !== Object.prototype)
    return false;
  let keys = 0;
  for (const key in f) if (f[key as keyof MsgFrame] !== undefined) keys++;
  return keys === 3;
}

function writeMsgFrame(f: MsgFrame, depth: number): void {
  ensure(1);
  buf[pos++] = 0x83;
  writeKey(KEY.t);
  writeKey(KEY.msg); // the value 'msg' is written as a key is: a short string
  writeKey(KEY.env);
  writeEnvelope(f.env, depth + 1);
  writeKey(KEY.mode);
  writeNumber(f.mode as number);
}

/** Each key's MessagePack bytes, made once. */
const KEY = Object.fromEntries(
  [...ENVELOPE_FIELDS, 't', 'msg', 'env', 'mode', 'ex', 'at'].map((k) => [k, keyBytes(k)]),
) as Record<
  (typeof ENVELOPE_FIELDS)[number] | 't' | 'msg' | 'env' | 'mode' | 'ex' | 'at',
  Uint8Array
>;

function keyBytes(key: string): Uint8Array {
  const b = new Uint8Array(1 + key.length);
  b[0] = 0xa0 | key.length; // every key here is short ASCII
  for (let i = 0; i < key.length; i++) b[i + 1] = key.charCodeAt(i);
  return b;
}

function writeKey(k: Uint8Array): void {
  ensure(k.length);
  for (let i = 0; i < k.length; i++) buf[pos + i] = k[i];
  pos += k.length;
}

/**
 * Every field of ENVELOPE_FIELDS, in its order, read by name: each read then has one shape to
 * look at (a loop over the names made each a megamorphic keyed load). msgpack-batch.test.ts
 * checks that no field of the list is left out.
 */
function writeEnvelope(env: EnvelopeFields, depth: number): void {
  ensure(1);
  const at = pos++ - start;
  const d = depth + 1;
  const count =
    field(KEY.id, env.id, d) +
    field(KEY.kind, env.kind, d) +
    field(KEY.name, env.name, d) +
    field(KEY.value, env.value, d) +
    field(KEY.from, env.from, d) +
    field(KEY.to, env.to, d) +
    field(KEY.ts, env.ts, d) +
    field(KEY.headers, env.headers, d) +
    traceField(env.trace, d) +
    field(KEY.start, env.start, d) +
    field(KEY.cause, env.cause, d) +
    field(KEY.corr, env.corr, d) +
    field(KEY.error, env.error, d) +
    field(KEY.errorSource, env.errorSource, d) +
    field(KEY.deadline, env.deadline, d) +
    field(KEY.failover, env.failover, d) +
    field(KEY.key, env.key, d);
  if (count < 16) buf[start + at] = 0x80 | count;
  else widen(at, count);
}

/** A field's key and value, unless the value is undefined; 1 if written. */
function field(key: Uint8Array, v: unknown, depth: number): number {
  if (v === undefined) return 0;
  writeKey(key);
  write(v, depth);
  return 1;
}

function traceField(v: unknown, depth: number): number {
  if (v === undefined) return 0;
  writeKey(KEY.trace);
  if (Array.isArray(v)) writeTrace(v, depth);
  else write(v, depth);
  return 1;
}

function writeTrace(trace: readonly unknown[], depth: number): void {
  const n = trace.length;
  writeHeader(n, 0x90, 0xdc);
  for (let i = 0; i < n; i++) {
    const hop = trace[i] as { ex: unknown; at: unknown };
    if (
      typeof hop === 'object' &&
      hop !== null &&
      typeof hop.ex === 'string' &&
      typeof hop.at === 'number'
    ) {
      ensure(1);
      buf[pos++] = 0x82;
      writeKey(KEY.ex);
      writeString(hop.ex);
      writeKey(KEY.at);
      writeNumber(hop.at);
    } else write(hop, depth + 1);
  }
}

function writeArray(a: readonly unknown[], depth: number): void {
  const n = a.length;
  writeHeader(n, 0x90, 0xdc);
  for (let i = 0; i < n; i++) write(a[i], depth + 1);
}

function writeMap(o: Record<string, unknown>, depth: number): void {
  // The count is known only at the end: a fixmap header, widened if there are 16 or more.
  ensure(1);
  const at = pos++ - start;
  let count = 0;
  for (const key in o) {
    const x = o[key];
    if (x === undefined) continue;
    writeString(key);
    write(x, depth + 1);
    count++;
  }
  if (count < 16) buf[start + at] = 0x80 | count;
  else widen(at, count);
}

/** Make room for a map 16/32 header at `at` (relative to `start`) by moving the entries. */
function widen(at: number, count: number): void {
  const extra = count < 0x10000 ? 2 : 4;
  ensure(extra);
  const h = start + at;
  buf.copyWithin(h + 1 + extra, h + 1, pos);
  pos += extra;
  if (extra === 2) {
    buf[h] = 0xde;
    view.setUint16(h + 1, count);
  } else {
    buf[h] = 0xdf;
    view.setUint32(h + 1, count);
  }
}

/** An array or map header: fix form below 16 entries, else 16- or 32-bit. */
function writeHeader(n: number, fix: number, wide16: number): void {
  ensure(5);
  if (n < 16) buf[pos++] = fix | n;
  else if (n < 0x10000) {
    buf[pos] = wide16;
    view.setUint16(pos + 1, n);
    pos += 3;
  } else {
    buf[pos] = wide16 + 1;
    view.setUint32(pos + 1, n);
    pos += 5;
  }
}

function writeNumber(v: number): void {
  ensure(9);
  if (Number.isInteger(v) && v <= Number.MAX_SAFE_INTEGER && v >= -Number.MAX_SAFE_INTEGER) {
    if (v >= 0) return writeUint(v); // -0 too: it is sent as 0
    if (v >= -0x20) buf[pos++] = 0x100 + v;
    else if (v >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = 0x100 + v;
    } else if (v >= -0x8000) {
      buf[pos] = 0xd1;
      view.setInt16(pos + 1, v);
      pos += 3;
    } else if (v >= -0x80000000) {
      buf[pos] = 0xd2;
      view.setInt32(pos + 1, v);
      pos += 5;
    } else {
      const high = Math.floor(v / 0x100000000);
      buf[pos] = 0xd3;
      view.setInt32(pos + 1, high);
      view.setUint32(pos + 5, v - high * 0x100000000);
      pos += 9;
    }
  } else if (Number.isFinite(v)) {
    buf[pos] = 0xcb;
    view.setFloat64(pos + 1, v);
    pos += 9;
  } else throw NOT_PLAIN; // NaN and ±Infinity become null in JSON
}

function writeUint(v: number): void {
  if (v < 0x80) buf[pos++] = v;
  else if (v < 0x100) {
    buf[pos++] = 0xcc;
    buf[pos++] = v;
  } else if (v < 0x10000) {
    buf[pos] = 0xcd;
    view.setUint16(pos + 1, v);
    pos += 3;
  } else if (v < 0x100000000) {
    buf[pos] = 0xce;
    view.setUint32(pos + 1, v);
    pos += 5;
  } else {
    buf[pos] = 0xcf;
    view.setUint32(pos + 1, Math.floor(v / 0x100000000));
    view.setUint32(pos + 5, v >>> 0);
    pos += 9;
  }
}

function writeString(s: string): void {
  const n = s.length;
  if (n < 32) {
    // Short strings are nearly always ASCII: write them as they are read.
    ensure(1 + 3 * n);
    const p = pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return writeUtf8(s);
      buf[p + 1 + i] = c;
    }
    buf[p] = 0xa0 | n;
    pos = p + 1 + n;
    return;
  }
  if (n < LONG_STRING) {
    ensure(2 + 3 * n);
    const p = pos + 2;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return writeUtf8(s);
      buf[p + i] = c;
    }
    buf[pos] = 0xd9;
    buf[pos + 1] = n;
    pos = p + n;
    return;
  }
  writeUtf8(s);
}

/** Any string: UTF-8 after a 5-byte gap, then the smallest header, moving the bytes back. */
function writeUtf8(s: string): void {
  ensure(5 + 3 * s.length);
  const written =
    bufWriter !== undefined
      ? bufWriter.utf8Write(s, pos + 5)
      : utf8.encodeInto(s, buf.subarray(pos + 5)).written;
  const header = written < 32 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5;
  if (header !== 5) buf.copyWithin(pos + header, pos + 5, pos + 5 + written);
  if (header === 1) buf[pos] = 0xa0 | written;
  else if (header === 2) {
    buf[pos] = 0xd9;
    buf[pos + 1] = written;
  } else if (header === 3) {
    buf[pos] = 0xda;
    view.setUint16(pos + 1, written);
  } else {
    buf[pos] = 0xdb;
    view.setUint32(pos + 1, written);
  }
  pos += header + written;
}
