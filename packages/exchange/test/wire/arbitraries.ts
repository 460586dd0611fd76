// fast-check arbitraries for valid frames of every kind, as spec/protocol.md defines them.
import fc from 'fast-check';
import type { Advert, Envelope, Frame } from '../../src/exchange/index.js';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';

export const exchangeId = fc.string({
  unit: fc.constantFrom(...ID_CHARS),
  minLength: 1,
  maxLength: 64,
});
const token = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 10 });
export const messageName = fc.array(token, { minLength: 1, maxLength: 6 }).map((t) => t.join('.'));
export const pattern = fc
  .tuple(fc.array(fc.oneof(token, fc.constant('*')), { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([tokens, rest]) => (rest ? [...tokens, '>'] : tokens).join('.'));
/** Any well-formed Unicode (UTF-8 cannot carry a lone surrogate, see spec "Values"). */
const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
const messageId = text(40)
  .map((s) => `m${s}`)
  .filter((s) => s.length <= 256);
const time = fc.oneof(fc.nat(), fc.double({ min: 0, max: 4e12, noNaN: true }));

/** True if `v` holds a key the protocol refuses (see spec "Values"). */
function pollutes(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  for (const [key, x] of Object.entries(v)) {
    if (key === '__proto__') return true;
    if (
      key === 'constructor' &&
      typeof x === 'object' &&
      x !== null &&
      Object.hasOwn(x, 'prototype')
    )
      return true;
    if (pollutes(x)) return true;
  }
  return false;
}

/** Any JSON value, without -0 (JSON sends it as 0) or prototype-polluting keys. */
export const jsonValue = fc
  .jsonValue({ maxDepth: 4 })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
  .filter((v) => !pollutes(v));

const advert: fc.Arbitrary<Advert> = fc.oneof(
  fc.record({
    k: fc.constantFrom('h' as const, 'o' as const),
    p: pattern,
    d: fc.oneof(fc.nat(20), fc.constant(null)),
  }),
  fc.record({
    k: fc.constant('n' as const),
    p: exchangeId,
    d: fc.oneof(fc.nat(20), fc.constant(null)),
  }),
);
const adverts = fc.array(advert, { maxLength: 5 });
const wireError = fc.record(
  { code: fc.string({ minLength: 1, maxLength: 64 }), message: text(60), data: jsonValue },
  { requiredKeys: ['code', 'message'] },
);

export const envelope: fc.Arbitrary<Envelope> = fc
  .record(
    {
      id: messageId,
      kind: fc.constantFrom('msg' as const, 'req' as const, 'rep' as const, 'err' as const),
      name: messageName,
      value: jsonValue,
      from: exchangeId,
      to: exchangeId,
      ts: time,
      headers: fc.dictionary(
        text(10).filter((k) => k !== '' && k !== '__proto__'),
        text(20),
        { maxKeys: 5 },
      ),
      trace: fc.array(fc.record({ ex: exchangeId, at: time }), { maxLength: 6 }),
      start: fc.nat(6),
      cause: messageId,
      corr: messageId,
      error: wireError,
      errorSource: fc.constantFrom('handler' as const, 'router' as const),
      deadline: time,
      failover: fc.constantFrom('retry' as const, 'at-most-once' as const),
      key: messageId,
    },
    { requiredKeys: ['id', 'kind', 'name', 'from', 'ts', 'trace', 'corr', 'error'] },
  )
  .map((env) => {
    // The kind-specific rules: corr on replies, error on errors, start within the trace.
    // `value` may be absent on the wire; the type says `value: unknown`, which undefined is.
    const out = { ...env } as Envelope;
    if (out.kind !== 'rep' && out.kind !== 'err') delete out.corr;
    if (out.kind !== 'err') delete out.error;
    if (out.start !== undefined && out.start > out.trace.length) out.start = out.trace.length;
    return out;
  });

const hello: fc.Arbitrary<Frame> = fc.record(
  {
    t: fc.constant('hello' as const),
    protocol: fc.constant(1),
    id: exchangeId,
    adverts,
    codecs: fc.array(fc.constantFrom('json', 'msgpack', 'cbor'), { minLength: 1, maxLength: 3 }),
    codec: fc.constantFrom('json', 'msgpack'),
    credentials: fc.dictionary(
      text(8).filter((k) => k !== '__proto__'),
      jsonValue,
      { maxKeys: 3 },
    ),
    heartbeat: fc.nat(60_000),
    maxBytes: fc.integer({ min: 65_536, max: 1 << 30 }),
    maxFrames: fc.integer({ min: 1, max: 1 << 16 }),
    agent: text(30).map((s) => `a${s}`),
  },
  { requiredKeys: ['t', 'protocol', 'id', 'adverts'] },
);

/** Any frame but hello (which must travel alone). */
export const sessionFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ t: fc.constant('msg' as const), env: envelope, mode: fc.constantFrom(1, 2, 3) }),
  fc.record({ t: fc.constant('adv' as const), adverts }),
  fc.record(
    { t: fc.constantFrom('ping' as const, 'pong' as const), n: fc.nat() },
    { requiredKeys: ['t'] },
  ),
  fc.record(
    { t: fc.constant('bye' as const), reason: text(30), error: wireError },
    { requiredKeys: ['t'] },
  ),
);

/** A valid batch: one hello alone, or 1 to 20 other frames. */
export const batch: fc.Arbitrary<Frame[]> = fc.oneof(
  { weight: 1, arbitrary: hello.map((h) => [h]) },
  { weight: 5, arbitrary: fc.array(sessionFrame, { minLength: 1, maxLength: 20 }) },
);
