// The language-neutral vectors of spec/vectors/, run against each codec: valid cases decode to
// their frames and survive a round trip, invalid ones fail with their exact code.
import { readFileSync } from 'node:fs';
import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  acceptCodec,
  chooseCodec,
  heartbeatInterval,
  acknowledgements,
  jsonCodec,
  msgpackCodec,
  msgpackCompactCodec,
} from '../../src/wire/index.js';
import type { Codec, DecodeLimits } from '../../src/wire/index.js';
import { codeOf } from './code-of.js';

interface Case {
  name: string;
  description: string;
  wire?: string;
  wireBase64?: string;
  limits?: DecodeLimits;
}
interface ValidCase extends Case {
  frames: unknown[];
}
interface InvalidCase extends Case {
  error: string;
}
interface CodecVectors {
  protocol: number;
  codec: string;
  valid: ValidCase[];
  invalid: InvalidCase[];
}

const load = <T>(file: string): T =>
  JSON.parse(
    readFileSync(new URL(`../../../../spec/vectors/${file}`, import.meta.url), 'utf8'),
  ) as T;

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/** The transport message of a case, as its codec receives it. */
function wireOf(c: Case, codec: string): string | Uint8Array {
  if (c.wireBase64 !== undefined) return bytes(c.wireBase64);
  if (c.wire === undefined) throw new Error(`case ${c.name} has no wire`);
  return codec === 'json' ? c.wire : bytes(c.wire);
}

/**
 * `expected` without the envelope fields that `decoded` (the same frames, decoded) does not
 * have: the case's unknown fields, if the decoder dropped them. Known fields must all be there.
 */
function keptOf(expected: unknown[], decoded: unknown[]): unknown[] {
  return expected.map((frame, i) => {
    const f = frame as { env?: Record<string, unknown> };
    const got = (decoded[i] as { env?: Record<string, unknown> }).env;
    if (f.env === undefined || got === undefined) return frame;
    const env = Object.fromEntries(
      Object.entries(f.env).filter(([key]) => KNOWN_FIELDS.has(key) || got[key] !== undefined),
    );
    return { ...f, env };
  });
}

/** The envelope fields of protocol 1 (spec/protocol.md, "Envelope"). */
const KNOWN_FIELDS = new Set(
  'id kind name value from to ts headers trace start cause corr error errorSource deadline failover key'.split(
    ' ',
  ),
);

const CODECS: Record<string, (limits?: DecodeLimits) => Codec> = {
  json: jsonCodec,
  msgpack: msgpackCodec,
  'msgpack-compact': msgpackCompactCodec,
};

for (const file of ['json.json', 'msgpack.json', 'msgpack-compact.json']) {
  const vectors = load<CodecVectors>(file);
  const make = CODECS[vectors.codec];

  describe(`spec/vectors/${file}`, () => {
    it('is for protocol 1 and has cases', () => {
      expect(vectors.protocol).toBe(1);
      expect(vectors.valid.length).toBeGreaterThan(20);
      expect(vectors.invalid.length).toBeGreaterThan(50);
      const names = [...vectors.valid, ...vectors.invalid].map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
    });

    describe('valid', () => {
      for (const c of vectors.valid) {
        it(`${c.name}: ${c.description}`, () => {
          const codec = make(c.limits);
          const frames = codec.decode(wireOf(c, vectors.codec));
          // Unknown fields may be kept or dropped (README): compare what was kept.
          const expected = c.name === 'unknown-fields' ? keptOf(c.frames, frames) : c.frames;
          expect(frames).toEqual(expected);
          // Round trip: what this codec writes, it reads back as the same frames.
          expect(codec.decode(codec.encode(frames))).toEqual(expected);
          // As Node's ws hands bytes over: a Buffer (the reader slices its strings itself).
          const wire = wireOf(c, vectors.codec);
          if (typeof wire !== 'string') expect(codec.decode(Buffer.from(wire))).toEqual(frames);
        });
      }
    });

    describe('invalid', () => {
      for (const c of vectors.invalid) {
        it(`${c.name} → ${c.error}: ${c.description}`, () => {
          const codec = make(c.limits);
          const wire = wireOf(c, vectors.codec);
          expect(codeOf(() => codec.decode(wire))).toBe(c.error);
          if (typeof wire !== 'string')
            expect(codeOf(() => codec.decode(Buffer.from(wire)))).toBe(c.error);
        });
      }
    });
  });
}

describe('spec/vectors/json.json as UTF-8 bytes', () => {
  // WebSocket libraries and TCP hand over bytes: the same text must give the same result.
  const vectors = load<CodecVectors>('json.json');
  const utf8 = (c: Case) =>
    c.wireBase64 !== undefined ? bytes(c.wireBase64) : new TextEncoder().encode(c.wire);

  it('valid cases decode to the same frames', () => {
    for (const c of vectors.valid)
      expect(jsonCodec(c.limits).decode(utf8(c)), c.name).toEqual(c.frames);
  });

  it('invalid cases fail with the same codes', () => {
    for (const c of vectors.invalid)
      expect(
        codeOf(() => jsonCodec(c.limits).decode(utf8(c))),
        c.name,
      ).toBe(c.error);
  });
});

describe('spec/vectors/msgpack-compact.json', () => {
  // A generator that fell back to map frames would still pass the cases above: most of the
  // valid msg frames must be in the array form.
  it('carries its msg frames as arrays', () => {
    const vectors = load<CodecVectors>('msgpack-compact.json');
    let arrays = 0;
    let maps = 0;
    for (const c of vectors.valid) {
      const batch = new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(
        bytes(c.wire!),
      ) as unknown[];
      for (const frame of batch) {
        if (Array.isArray(frame)) arrays++;
        else if ((frame as { t?: unknown }).t === 'msg') maps++;
      }
    }
    expect(arrays).toBeGreaterThan(15);
    expect(maps).toBeLessThan(arrays / 4);
  });
});

describe('spec/vectors/handshake.json', () => {
  interface Tables {
    chooseCodec: { cases: { offered?: string[]; supported: string[]; expected: string }[] };
    acceptCodec: {
      cases: { offered?: string[]; chosen?: string; expected?: string; error?: string }[];
    };
    heartbeat: { cases: { mine?: number; theirs?: number; expected: number }[] };
    acks: {
      cases: {
        mine?: number;
        theirs?: number;
        expected: { every: number; acknowledged: boolean };
      }[];
    };
  }
  const tables = load<Tables>('handshake.json');

  it('chooseCodec', () => {
    for (const c of tables.chooseCodec.cases)
      expect(chooseCodec(c.offered, c.supported), JSON.stringify(c)).toBe(c.expected);
  });

  it('acceptCodec', () => {
    for (const c of tables.acceptCodec.cases) {
      const run = () => acceptCodec(c.offered, c.chosen);
      if (c.error !== undefined) expect(codeOf(run), JSON.stringify(c)).toBe(c.error);
      else expect(run(), JSON.stringify(c)).toBe(c.expected);
    }
  });

  it('heartbeatInterval', () => {
    for (const c of tables.heartbeat.cases)
      expect(heartbeatInterval(c.mine, c.theirs), JSON.stringify(c)).toBe(c.expected);
  });

  it('acknowledgements', () => {
    for (const c of tables.acks.cases)
      expect(acknowledgements(c.mine, c.theirs), JSON.stringify(c)).toEqual(c.expected);
  });
});
