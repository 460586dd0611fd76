/**
 * Message names and patterns. A name is dot-separated tokens (`db.query`, `user.42.login`); a
 * pattern may also use `*` for exactly one token and, as its last token, `>` for one or more
 * (NATS semantics). Names under `$exchange.` are reserved for the exchange itself.
 *
 * @example
 * validateName('user.42.login'); // ok
 * matches('user.*.login', 'user.42.login'); // true
 * matches('user.>', 'user'); // false: `>` needs at least one token
 * validatePattern('user.>.x'); // throws InvalidNameError: '>' must be the last token …
 */
import { InvalidNameError } from './errors.js';

/** The reserved prefix of system messages. */
export const SYSTEM_PREFIX = '$exchange.';
/** Longest name or pattern, in characters. */
export const MAX_NAME_LENGTH = 256;
/** Most tokens in a name or pattern. */
export const MAX_TOKENS = 16;
/** Longest token, in characters. */
export const MAX_TOKEN_LENGTH = 64;

const DOT = 0x2e;
const STAR = 0x2a;
const GT = 0x3e;
const DOLLAR = 0x24;

/** A-Z a-z 0-9 _ - */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z, the common case first
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2d
  );
}

/**
 * Throw unless `name` is a valid message name (no wildcards).
 * @param name - any value, e.g. read from the wire.
 * @throws {InvalidNameError} saying what is wrong and where.
 */
export function validateName(name: unknown): asserts name is string {
  const problem = check(name, false);
  if (problem !== undefined) throw new InvalidNameError(problem, shown(name));
}

/**
 * Throw unless `pattern` is a valid pattern: a name that may also use `*` and a final `>`.
 * @param pattern - any value.
 * @throws {InvalidNameError} saying what is wrong and where.
 */
export function validatePattern(pattern: unknown): asserts pattern is string {
  const problem = check(pattern, true);
  if (problem !== undefined) throw new InvalidNameError(problem, shown(pattern));
}

/**
 * True if `name` is a valid message name (no wildcards). Allocates nothing when it is.
 * @param name - any value.
 */
export function isValidName(name: unknown): name is string {
  return check(name, false) === undefined;
}

/**
 * True if `pattern` is a valid pattern (a valid name is one too).
 * @param pattern - any value.
 */
export function isValidPattern(pattern: unknown): pattern is string {
  return check(pattern, true) === undefined;
}

/**
 * True if `p` has a wildcard token (`*` or `>`), so it can match more than one name. Does not
 * validate: `a.b*` is not a pattern here, and invalid everywhere.
 * @param p - a pattern.
 */
export function isPattern(p: string): boolean {
  const last = p.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = p.charCodeAt(i);
    if (c !== STAR && c !== GT) continue;
    const whole =
      (i === 0 || p.charCodeAt(i - 1) === DOT) && (i === last || p.charCodeAt(i + 1) === DOT);
    if (whole) return true;
  }
  return false;
}

/**
 * True if `name` is reserved for the exchange (starts with `$exchange.`).
 * @param name - a message name.
 */
export function isSystemName(name: string): boolean {
  return name.startsWith(SYSTEM_PREFIX);
}

/**
 * True if `pattern` matches `name`, token by token: a literal token matches itself, `*` any one
 * token, and a final `>` one or more tokens. A pattern without wildcards matches only itself.
 * Both are assumed valid (this is the hot path; validate once where they enter). Allocates
 * nothing.
 * @param pattern - a valid pattern.
 * @param name - a valid name.
 */
export function matches(pattern: string, name: string): boolean {
  const pl = pattern.length;
  const nl = name.length;
  let p = 0;
  let n = 0;
  // p and n are the starts of the current tokens; past the end means no token is left.
  while (p <= pl) {
    if (n > nl) return false;
    let pe = pattern.indexOf('.', p);
    if (pe < 0) pe = pl;
    let ne = name.indexOf('.', n);
    if (ne < 0) ne = nl;
    const len = pe - p;
    const c = len === 1 ? pattern.charCodeAt(p) : 0;
    if (c === GT && pe === pl) return true; // this token and any after it
    if (c !== STAR) {
      if (len !== ne - n) return false;
      for (let i = 0; i < len; i++) {
        if (pattern.charCodeAt(p + i) !== name.charCodeAt(n + i)) return false;
      }
    }
    p = pe + 1;
    n = ne + 1;
  }
  return n > nl;
}

/** The problem with `s` as a name (or pattern), or `undefined`. Builds a string only on failure. */
function check(s: unknown, pattern: boolean): string | undefined {
  const what = pattern ? 'pattern' : 'name';
  if (typeof s !== 'string') return `${what} must be a string, got ${typeof s}`;
  if (s.length === 0) return `empty ${what}`;
  if (s.length > MAX_NAME_LENGTH) {
    return `${what} too long: ${s.length} characters, max ${MAX_NAME_LENGTH}, in '${clip(s)}'`;
  }
  let token = 1;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : DOT; // a virtual dot closes the last token
    if (c === DOT) {
      const problem = checkToken(s, start, i, token);
      if (problem !== undefined) return problem;
      if (i < s.length && ++token > MAX_TOKENS) {
        return `too many tokens: ${countTokens(s)}, max ${MAX_TOKENS}, in '${s}'`;
      }
      start = i + 1;
    } else if (!isTokenChar(c)) {
      const problem = checkSpecial(s, i, start, token, pattern);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** Checks on the whole token `s[start, end)` at 1-based `token` position. */
function checkToken(s: string, start: number, end: number, token: number): string | undefined {
  const len = end - start;
  if (len === 0) return `empty token at position ${token} in '${s}'`;
  if (len > MAX_TOKEN_LENGTH) {
    return `token too long at position ${token}: ${len} characters, max ${MAX_TOKEN_LENGTH}, in '${s}'`;
  }
  // `$` only marks a reserved first token such as `$exchange`; on its own it names nothing.
  if (len === 1 && s.charCodeAt(start) === DOLLAR) return `bare '$' at position 1 in '${s}'`;
  return undefined;
}

/** The problem with the non-token character at offset `i`, if it is not an allowed `$`/wildcard. */
function checkSpecial(
  s: string,
  i: number,
  start: number,
  token: number,
  pattern: boolean,
): string | undefined {
  const c = s.charCodeAt(i);
  if (c === DOLLAR) {
    if (i === 0) return undefined;
    return `'$' is allowed only as the first character of the name, found at offset ${i} in '${s}'`;
  }
  if (c !== STAR && c !== GT)
    return `invalid character ${describeChar(s, i)} at offset ${i} in '${s}'`;
  const ch = c === STAR ? '*' : '>';
  if (!pattern) {
    return `wildcard '${ch}' at position ${token} in '${s}' (wildcards are allowed only in patterns)`;
  }
  const whole = i === start && (i + 1 === s.length || s.charCodeAt(i + 1) === DOT);
  if (!whole) return `'${ch}' must be a whole token, at position ${token} in '${s}'`;
  if (c === GT && i + 1 !== s.length) {
    return `'>' must be the last token, found at position ${token} in '${s}'`;
  }
  return undefined;
}

function countTokens(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === DOT) n++;
  return n;
}

/** `'#' (U+0023)`; control characters as `U+000A` alone, so the message stays one clean line. */
function describeChar(s: string, i: number): string {
  const cp = s.codePointAt(i) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
  return control ? hex : `'${String.fromCodePoint(cp)}' (${hex})`;
}

/** The offending input for the error's `data`; `String()` would throw on some objects. */
const shown = (v: unknown): string => (typeof v === 'string' ? v : typeof v);

/** The start of a long input, for a message that should not repeat all of it. */
function clip(s: string): string {
  return `${s.slice(0, 32)}…`;
}
