/**
 * The strict validator every codec runs on what it decoded: a batch of frames, each checked
 * against spec/protocol.md. It returns the same objects, typed, or throws an `ExchangeError`
 * with code `BAD_FRAME`, `TOO_LARGE`, `INVALID_NAME` or `VERSION_MISMATCH` whose message starts
 * with the path of the first bad field. It never changes what it checks.
 *
 * @example
 * validateBatch(JSON.parse('[{"t":"ping","n":1}]'), resolveLimits()); // [{ t: 'ping', n: 1 }]
 * validateBatch([{ t: 'nope' }], resolveLimits()); // throws BAD_FRAME: frames[0].t: unknown frame kind "nope"
 */
import { ExchangeError } from '../exchange/index.js';
import { checkEnvelope, checkWireError } from './check-envelope.js';
import {
  exchangeId,
  fields,
  integer,
  isFields,
  list,
  oneOf,
  pattern,
  shortText,
  text,
} from './checks.js';
import type { Fields } from './checks.js';
import type { WireFrame } from './frames.js';
import type { Limits } from './limits.js';
import {
  CODEC_NAME,
  EXCHANGE_ID,
  MAX_AGENT_LENGTH,
  MAX_CODECS,
  MAX_HEARTBEAT,
  MAX_ID_LENGTH,
  MIN_MAX_BYTES,
  PROTOCOL_VERSION,
} from './limits.js';
import { badFrame, show, tooLarge, typeOf } from './problems.js';

const ADVERT_KINDS = ['h', 'o', 'n'];
const MAX_INT = Number.MAX_SAFE_INTEGER;
/** The 32-bit limit keeps announced limits usable as array lengths and timer delays. */
const MAX_U31 = 2_147_483_647;

/**
 * Check a decoded transport message: an array of 1 to `limits.maxFrames` valid frames.
 * @param data - what the codec decoded.
 * @param limits - the receiver's limits.
 * @returns `data`, typed as frames.
 * @throws {ExchangeError} `BAD_FRAME`, `TOO_LARGE`, `INVALID_NAME` or `VERSION_MISMATCH`.
 */
export function validateBatch(data: unknown, limits: Limits): WireFrame[] {
  if (!Array.isArray(data))
    throw badFrame(-1, '', `must be an array of frames, got ${typeOf(data)}`);
  const n = data.length;
  if (n === 0) throw badFrame(-1, '', 'is empty: a batch holds at least one frame');
  if (n > limits.maxFrames) throw tooLarge(-1, '', 'maxFrames', limits.maxFrames, n);
  for (let i = 0; i < n; i++) checkFrame(data[i], i, n);
  return data as WireFrame[];
}

function checkFrame(v: unknown, i: number, batchSize: number): void {
  const f = fields(v, i, '');
  switch (f.t) {
    case 'msg':
      checkEnvelope(f.env, i);
      if (f.mode !== 1 && f.mode !== 2 && f.mode !== 3)
        throw badFrame(i, 'mode', `must be 1, 2 or 3, got ${show(f.mode)}`);
      return;
    case 'adv':
      return checkAdverts(f.adverts, i);
    case 'ping':
    case 'pong':
      if (f.n !== undefined) integer(f.n, i, 'n', 0, MAX_INT);
      return;
    case 'ack':
      integer(f.n, i, 'n', 0, MAX_INT);
      return;
    case 'bye':
      if (f.reason !== undefined) text(f.reason, i, 'reason');
      if (f.error !== undefined) checkWireError(f.error, i, 'error');
      return;
    case 'hello':
      // The codec may change right after a hello, so nothing may follow it in its batch.
      if (batchSize !== 1) throw badFrame(i, '', 'a hello must be the only frame in its batch');
      return checkHello(f, i);
    default:
      if (typeof f.t !== 'string') throw badFrame(i, 't', `must be a string, got ${typeOf(f.t)}`);
      throw badFrame(i, 't', `unknown frame kind ${show(f.t)}`);
  }
}

/** Adverts `{ k, p, d }`: `p` is a pattern for `h`/`o` and an exchange id for `n`. */
function checkAdverts(v: unknown, i: number): void {
  const adverts = list(v, i, 'adverts');
  for (let j = 0; j < adverts.length; j++) {
    const a = adverts[j];
    if (!isFields(a)) throw badFrame(i, `adverts[${j}]`, `must be an object, got ${typeOf(a)}`);
    oneOf(a.k, i, `adverts[${j}].k`, ADVERT_KINDS);
    if (a.k !== 'n') pattern(a.p, i, `adverts[${j}].p`);
    else if (typeof a.p !== 'string' || !EXCHANGE_ID.test(a.p))
      exchangeId(a.p, i, `adverts[${j}].p`);
    if (a.d !== null) integer(a.d, i, `adverts[${j}].d`, 0, MAX_INT);
  }
}

/** The version first (a later version may change everything else), then the rest. */
function checkHello(f: Fields, i: number): void {
  const version = integer(f.protocol, i, 'protocol', 1, MAX_INT);
  if (version !== PROTOCOL_VERSION) {
    const message = `the peer speaks protocol ${version}; this side speaks ${PROTOCOL_VERSION}`;
    const data = { supported: [PROTOCOL_VERSION], got: version };
    throw new ExchangeError('VERSION_MISMATCH', message, { data });
  }
  exchangeId(f.id, i, 'id');
  if (f.instance !== undefined) shortText(f.instance, i, 'instance', MAX_ID_LENGTH);
  if (f.leaf !== undefined && typeof f.leaf !== 'boolean')
    throw badFrame(i, 'leaf', `must be a boolean, got ${typeOf(f.leaf)}`);
  checkAdverts(f.adverts, i);
  if (f.codecs !== undefined) checkCodecs(f.codecs, i);
  if (f.codec !== undefined) codecName(f.codec, i, 'codec');
  if (f.credentials !== undefined) fields(f.credentials, i, 'credentials');
  if (f.heartbeat !== undefined) integer(f.heartbeat, i, 'heartbeat', 0, MAX_HEARTBEAT);
  if (f.maxBytes !== undefined) integer(f.maxBytes, i, 'maxBytes', MIN_MAX_BYTES, MAX_U31);
  if (f.maxFrames !== undefined) integer(f.maxFrames, i, 'maxFrames', 1, MAX_U31);
  if (f.agent !== undefined) shortText(f.agent, i, 'agent', MAX_AGENT_LENGTH);
  if (f.acks !== undefined) integer(f.acks, i, 'acks', 0, MAX_U31);
}

function checkCodecs(v: unknown, i: number): void {
  const codecs = list(v, i, 'codecs');
  if (codecs.length === 0 || codecs.length > MAX_CODECS)
    throw badFrame(i, 'codecs', `must list 1 to ${MAX_CODECS} codecs, got ${codecs.length}`);
  for (let j = 0; j < codecs.length; j++) codecName(codecs[j], i, `codecs[${j}]`);
}

function codecName(v: unknown, i: number, path: string): void {
  if (!CODEC_NAME.test(text(v, i, path)))
    throw badFrame(i, path, `must be a codec name (1-32 of a-z 0-9 -), got ${show(v)}`);
}
