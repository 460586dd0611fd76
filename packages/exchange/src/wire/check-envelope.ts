/**
 * The envelope inside a `msg` frame, checked field by field against spec/protocol.md
 * ("Envelope"). The payload (`value`, `error.data`) may be any JSON value and is not looked at
 * here: JSON text cannot hold anything else, and the MessagePack codec checks it separately.
 */
import {
  exchangeId,
  fields,
  isExchangeId,
  integer,
  isFields,
  list,
  messageId,
  messageName,
  oneOf,
  shortText,
  text,
  time,
  type Fields,
} from './checks.js';
import { MAX_CODE_LENGTH, MAX_HEADERS, MAX_TRACE } from './limits.js';
import { badFrame, tooLarge, typeOf } from './problems.js';

const KINDS = ['msg', 'req', 'rep', 'err'];
const ERROR_SOURCES = ['handler', 'router'];
const FAILOVER = ['retry', 'at-most-once'];

/**
 * Check the envelope of frame `i`. Optional fields are absent when unset: `null` is not a valid
 * value for any of them.
 */
export function checkEnvelope(v: unknown, i: number): void {
  const env = fields(v, i, 'env');
  messageId(env.id, i, 'env.id');
  oneOf(env.kind, i, 'env.kind', KINDS);
  messageName(env.name, i, 'env.name');
  exchangeId(env.from, i, 'env.from');
  if (env.to !== undefined) exchangeId(env.to, i, 'env.to');
  time(env.ts, i, 'env.ts');
  if (env.headers !== undefined) checkHeaders(env.headers, i);
  const hops = checkTrace(env.trace, i);
  if (env.start !== undefined) integer(env.start, i, 'env.start', 0, hops);
  if (env.cause !== undefined) messageId(env.cause, i, 'env.cause');
  checkReply(env, i);
  if (env.deadline !== undefined) time(env.deadline, i, 'env.deadline');
  if (env.failover !== undefined) oneOf(env.failover, i, 'env.failover', FAILOVER);
  if (env.key !== undefined) messageId(env.key, i, 'env.key');
}

/** The wire form of an error: `{ code, message, data? }`. */
export function checkWireError(v: unknown, i: number, path: string): void {
  const e = fields(v, i, path);
  shortText(e.code, i, `${path}.code`, MAX_CODE_LENGTH);
  text(e.message, i, `${path}.message`);
}

/** `corr` on replies, `error` on errors, and where an error came from. */
function checkReply(env: Fields, i: number): void {
  if (env.corr !== undefined) messageId(env.corr, i, 'env.corr');
  else if (env.kind === 'rep' || env.kind === 'err')
    throw badFrame(i, 'env.corr', `is required when kind is ${String(env.kind)}`);
  if (env.error !== undefined) checkWireError(env.error, i, 'env.error');
  else if (env.kind === 'err') throw badFrame(i, 'env.error', 'is required when kind is err');
  if (env.errorSource !== undefined) oneOf(env.errorSource, i, 'env.errorSource', ERROR_SOURCES);
}

/** Hops `{ ex, at }`, at most MAX_TRACE; returns their number. */
function checkTrace(v: unknown, i: number): number {
  const trace = list(v, i, 'env.trace');
  if (trace.length > MAX_TRACE) throw tooLarge(i, 'env.trace', 'maxTrace', MAX_TRACE, trace.length);
  for (let j = 0; j < trace.length; j++) {
    const hop = trace[j];
    if (!isFields(hop))
      throw badFrame(i, `env.trace[${j}]`, `must be an object, got ${typeOf(hop)}`);
    // The common case passes the inline tests; the throwing checks build the path on failure.
    if (!isExchangeId(hop.ex)) exchangeId(hop.ex, i, `env.trace[${j}].ex`);
    if (typeof hop.at !== 'number' || !(hop.at >= 0) || hop.at === Infinity)
      time(hop.at, i, `env.trace[${j}].at`);
  }
  return trace.length;
}

/** String values under non-empty keys, at most MAX_HEADERS of them. */
function checkHeaders(v: unknown, i: number): void {
  const headers = fields(v, i, 'env.headers');
  const keys = Object.keys(headers);
  if (keys.length > MAX_HEADERS)
    throw tooLarge(i, 'env.headers', 'maxHeaders', MAX_HEADERS, keys.length);
  for (const key of keys) {
    if (key === '') throw badFrame(i, 'env.headers', 'has an empty key');
    const value = headers[key];
    if (typeof value !== 'string')
      throw badFrame(
        i,
        `env.headers[${JSON.stringify(key)}]`,
        `must be a string, got ${typeOf(value)}`,
      );
  }
}
