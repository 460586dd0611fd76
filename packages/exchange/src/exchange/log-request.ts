/**
 * `$exchange.log`: the built-in request every exchange answers from its own message log, so a
 * tool on another process (the `exchange log` command) can read what that exchange saw.
 *
 * @example
 * await client.request('$exchange.log', { pattern: 'orders.>', limit: 20 }, { to: 'hub' });
 * // [{ seq, direction, at, peer, envelope }, …]: the 20 newest orders messages, oldest first
 */
import type { Envelope } from './envelope.js';
import { ExchangeError } from './errors.js';
import type { LogEntry, LogQuery, MessageLog } from './message-log.js';
import { isSystemName } from './names.js';

/** The request's name. */
export const LOG_REQUEST = '$exchange.log';
/** Most entries one request returns. */
export const LOG_REQUEST_MAX = 1000;
/** Entries returned when the request gives no `limit`. */
export const LOG_REQUEST_DEFAULT = 100;
/** A value whose JSON is longer is sent as a cut string, so 1000 entries fit in one reply. */
const VALUE_PREVIEW = 1024;

/**
 * The request's value; every field optional: as `LogQuery` (with `limit` at most 1000), and
 * `system: false` to leave out system messages (`$exchange.*`).
 */
export type LogRequest = Pick<LogQuery, 'pattern' | 'peer' | 'direction' | 'since' | 'limit'> & {
  system?: boolean;
};

/**
 * An answered entry: as logged, with `truncated` when the value was cut to a JSON preview. An
 * entry whose value was too large for the log has no `value` and carries `valueOmitted` (its
 * estimated bytes, a lower bound) instead.
 */
export type LogRequestEntry = LogEntry<Envelope> & { truncated?: true };

/**
 * Answer `$exchange.log` from `log`, leaving out `req` itself (logged as it arrived).
 * @param log - the exchange's message log.
 * @param req - the request; its value is a `LogRequest`, or nothing for the newest 100.
 * @returns the matching entries, oldest first.
 * @throws {ExchangeError} `BAD_MESSAGE` for a filter of the wrong type;
 *   {InvalidNameError} for a bad pattern.
 */
export function answerLogRequest(log: MessageLog<Envelope>, req: Envelope): LogRequestEntry[] {
  const { limit = LOG_REQUEST_DEFAULT, system = true, ...filters } = toQuery(req.value);
  // Without system messages, which may be most of the log, `limit` applies after filtering.
  const found = log
    .query(system ? { ...filters, limit: limit + 1 } : filters)
    .filter((e) => e.envelope.id !== req.id && (system || !isSystemName(e.envelope.name)));
  return found.slice(-limit).map(preview);
}

function toQuery(value: unknown): LogRequest {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object of filters');
  const { pattern, peer, direction, since, limit, system } = value as Record<string, unknown>;
  const q: LogRequest = {};
  if (pattern !== undefined) q.pattern = text(pattern, 'pattern');
  if (peer !== undefined) q.peer = text(peer, 'peer');
  if (direction !== undefined) {
    if (direction !== 'in' && direction !== 'out') throw bad("direction must be 'in' or 'out'");
    q.direction = direction;
  }
  if (since !== undefined) {
    if (typeof since !== 'number' || !Number.isFinite(since))
      throw bad('since must be a time in ms');
    q.since = since;
  }
  if (system !== undefined) {
    if (typeof system !== 'boolean') throw bad('system must be true or false');
    q.system = system;
  }
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > LOG_REQUEST_MAX)
      throw bad(`limit must be an integer from 1 to ${LOG_REQUEST_MAX}`);
    q.limit = limit as number;
  }
  return q;
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') throw bad(`${field} must be a string`);
  return v;
}

function bad(why: string): ExchangeError {
  return new ExchangeError('BAD_MESSAGE', `${LOG_REQUEST}: ${why}`);
}

function preview(entry: LogEntry<Envelope>): LogRequestEntry {
  const value = entry.envelope.value;
  if (value === undefined || typeof value === 'number' || typeof value === 'boolean') return entry;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined; // a cycle or a BigInt: only a local exchange could have logged it
  }
  if (json !== undefined && json.length <= VALUE_PREVIEW) return entry;
  const shown = json === undefined ? '[not JSON]' : `${json.slice(0, VALUE_PREVIEW)}…`;
  return { ...entry, envelope: { ...entry.envelope, value: shown }, truncated: true };
}
