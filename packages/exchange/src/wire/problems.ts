/**
 * The typed errors of decoding: `BAD_FRAME` (malformed), `TOO_LARGE` (over a limit),
 * `VERSION_MISMATCH`, and `BAD_MESSAGE` for a value that cannot be encoded. Messages start with
 * the path of the offending field, such as `frames[2].env.trace[0].at`, so a client author can
 * find the mistake; `data.path` holds the same path.
 */
import { ExchangeError } from '../exchange/index.js';

/** Where a field sits in a batch: `frames[i].path`, or the batch itself. */
export function where(frame: number, path: string): string {
  if (frame < 0) return path === '' ? 'batch' : path;
  return path === '' ? `frames[${frame}]` : `frames[${frame}].${path}`;
}

/** A `BAD_FRAME` error for field `path` of frame `frame` (-1: the batch as a whole). */
export function badFrame(frame: number, path: string, problem: string, cause?: unknown) {
  const at = where(frame, path);
  const options = cause === undefined ? { data: { path: at } } : { data: { path: at }, cause };
  return new ExchangeError('BAD_FRAME', `${at}: ${problem}`, options);
}

/** A `TOO_LARGE` error: `limit` (a field of the spec's Limits section) was exceeded. */
export function tooLarge(frame: number, path: string, limit: string, max: number, size: number) {
  const at = where(frame, path);
  const message = `${at}: ${size} is over the limit ${limit} = ${max}`;
  return new ExchangeError('TOO_LARGE', message, { data: { path: at, limit, max } });
}

/** A short description of a value's type for messages: `null`, `array`, `string`, … */
export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

/** The value itself when it is short and printable, else its type: for error messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : 'a long string';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return typeOf(v);
}
