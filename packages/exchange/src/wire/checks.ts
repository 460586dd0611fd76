/**
 * Field checks shared by the frame and envelope validators. Each takes the field's value, the
 * frame's index in its batch and the field's path, and throws a typed error (see problems.ts)
 * or returns nothing. Paths and messages are built only when a check fails.
 */
import {
  InvalidNameError,
  isValidName,
  isValidPattern,
  validateName,
  validatePattern,
} from '../exchange/index.js';
import { EXCHANGE_ID, MAX_ID_LENGTH } from './limits.js';
import { badFrame, show, typeOf, where } from './problems.js';

/** A decoded JSON object (or MessagePack map). */
export type Fields = Record<string, unknown>;

/** True for a JSON object: not null, not an array. */
export function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object field. */
export function fields(v: unknown, i: number, path: string): Fields {
  if (!isFields(v)) throw badFrame(i, path, `must be an object, got ${typeOf(v)}`);
  return v;
}

/** A string field. */
export function text(v: unknown, i: number, path: string): string {
  if (typeof v !== 'string') throw badFrame(i, path, `must be a string, got ${typeOf(v)}`);
  return v;
}

/** A string of 1 to `max` characters. */
export function shortText(v: unknown, i: number, path: string, max: number): void {
  const s = text(v, i, path);
  if (s.length === 0 || s.length > max)
    throw badFrame(i, path, `must be 1 to ${max} characters, got ${s.length}`);
}

/** A message id (`id`, `cause`, `corr`) or balance key: 1 to 256 characters. */
export function messageId(v: unknown, i: number, path: string): void {
  shortText(v, i, path, MAX_ID_LENGTH);
}

/**
 * Exchange ids and message names found valid lately. The same few come in nearly every frame
 * (senders, hops, names), and a Set lookup is cheaper than checking them again. Bounded: the
 * set starts over when full.
 */
const KNOWN_MAX = 1024;
const knownIds = new Set<string>();
const knownNames = new Set<string>();

function remember(known: Set<string>, s: string): void {
  if (known.size >= KNOWN_MAX) known.clear();
  known.add(s);
}

/** True for an exchange id: 1–64 letters, digits, `_` or `-`. */
export function isExchangeId(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  if (knownIds.has(v)) return true;
  if (!EXCHANGE_ID.test(v)) return false;
  remember(knownIds, v);
  return true;
}

/** An exchange id: 1–64 letters, digits, `_` or `-`. */
export function exchangeId(v: unknown, i: number, path: string): void {
  if (!isExchangeId(text(v, i, path)))
    throw badFrame(i, path, `must be an exchange id (1-64 of A-Z a-z 0-9 _ -), got ${show(v)}`);
}

/** An integer in [min, max]. */
export function integer(v: unknown, i: number, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw badFrame(i, path, `must be an integer from ${min} to ${max}, got ${show(v)}`);
  return v;
}

/** A time in ms since the epoch: a finite number ≥ 0. */
export function time(v: unknown, i: number, path: string): void {
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity)
    throw badFrame(i, path, `must be a finite number >= 0, got ${show(v)}`);
}

/** One of a few string constants. */
export function oneOf(v: unknown, i: number, path: string, allowed: readonly string[]): void {
  if (typeof v !== 'string' || !allowed.includes(v))
    throw badFrame(i, path, `must be one of ${allowed.join(', ')}, got ${show(v)}`);
}

/** An array field. */
export function list(v: unknown, i: number, path: string): unknown[] {
  if (!Array.isArray(v)) throw badFrame(i, path, `must be an array, got ${typeOf(v)}`);
  return v;
}

/** A message name (no wildcards): a wrong type is BAD_FRAME, a bad string INVALID_NAME. */
export function messageName(v: unknown, i: number, path: string): void {
  const name = text(v, i, path);
  if (knownNames.has(name)) return;
  if (!isValidName(name)) rethrowNameError(() => validateName(v), i, path, v);
  remember(knownNames, name);
}

/** A pattern (a name that may use `*` and a final `>`). */
export function pattern(v: unknown, i: number, path: string): void {
  if (!isValidPattern(text(v, i, path))) rethrowNameError(() => validatePattern(v), i, path, v);
}

/** Run the exchange's own validator for its message, and prefix that with the field's path. */
function rethrowNameError(validate: () => void, i: number, path: string, v: unknown): never {
  try {
    validate();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new InvalidNameError(`${where(i, path)}: ${message}`, v as string, { cause: e });
  }
  throw new Error('unreachable: the fast check and the validator disagree');
}
