// Property tests: every valid batch round-trips through each codec; both codecs carry the same
// values; and no input, however broken, gets anything out of a decoder but frames or a typed
// protocol error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExchangeError } from '../../src/index.js';
import { jsonCodec, msgpackCodec, msgpackCompactCodec } from '../../src/wire/index.js';
import type { Codec } from '../../src/wire/index.js';
import { batch, jsonValue, sessionFrame } from './arbitraries.js';

const CODECS: Codec[] = [jsonCodec(), msgpackCodec(), msgpackCompactCodec()];
const PROTOCOL_ERRORS = ['BAD_FRAME', 'TOO_LARGE', 'INVALID_NAME', 'VERSION_MISMATCH'];

/** Decode, and say what happened: `ok`, a protocol error code, or what else went wrong. */
function outcome(codec: Codec, data: string | Uint8Array): string {
  try {
    codec.decode(data);
    return 'ok';
  } catch (e) {
    if (isExchangeError(e) && PROTOCOL_ERRORS.includes(e.code)) return e.code;
    return `unexpected ${String(e)}`;
  }
}

function expectTyped(result: string): void {
  expect(result).not.toMatch(/^unexpected/);
}

describe.each(CODECS)('$name codec properties', (codec) => {
  it('any valid batch decodes to itself after encoding', () => {
    fc.assert(
      fc.property(batch, (frames) => {
        expect(codec.decode(codec.encode(frames))).toEqual(frames);
      }),
      { numRuns: 300 },
    );
  });

  it('encode reads its frames and never changes them', () => {
    fc.assert(
      fc.property(batch, (frames) => {
        const before = structuredClone(frames);
        codec.encode(frames);
        expect(frames).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });

  it('frames with random fields of random JSON get frames or a typed error, nothing else', () => {
    const kinds = ['hello', 'adv', 'msg', 'ping', 'pong', 'bye', 'nope'];
    const fields = [
      't',
      'id',
      'protocol',
      'adverts',
      'env',
      'mode',
      'n',
      'reason',
      'error',
      'codecs',
    ];
    const frame = fc
      .tuple(fc.constantFrom(...kinds), fc.dictionary(fc.constantFrom(...fields), jsonValue))
      .map(([t, rest]) => ({ t, ...rest }));
    const envField = sessionFrame.chain((f) =>
      fc
        .constantFrom(...Object.keys(f.t === 'msg' ? f.env : f))
        .chain((key) =>
          jsonValue.map((v) =>
            f.t === 'msg' ? { ...f, env: { ...f.env, [key]: v } } : { ...f, [key]: v },
          ),
        ),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(frame, envField), { maxLength: 4 }), (frames) => {
        expectTyped(outcome(codec, codec.encode(frames as never)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('raw input', () => {
  it('any text gets the json codec frames or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expectTyped(outcome(jsonCodec(), text));
      }),
      { numRuns: 500 },
    );
  });

  it('any bytes get either codec frames or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const codec of CODECS) expectTyped(outcome(codec, bytes));
      }),
      { numRuns: 500 },
    );
  });

  it.each([msgpackCodec(), msgpackCompactCodec()])(
    'valid $name with bytes flipped gets frames or a typed error',
    (codec) => {
      fc.assert(
        fc.property(batch, fc.nat(), fc.integer({ min: 1, max: 255 }), (frames, at, flip) => {
          const bytes = Uint8Array.from(codec.encode(frames) as Uint8Array);
          bytes[at % bytes.length] ^= flip;
          expectTyped(outcome(codec, bytes));
        }),
        { numRuns: 500 },
      );
    },
  );
});

describe('all codecs carry the same values', () => {
  // The msgpack codecs must deliver what the json codec delivers, for any JavaScript value a
  // sender may hand it: Dates, undefined, NaN, Maps, class instances, sparse arrays, -0, …
  const anything = fc.anything({
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
    withObjectString: true,
  });

  it('value → json and value → msgpack(-compact) decode to the same thing (or fail alike)', () => {
    const [json, msgpack, compact] = CODECS;
    const roundTrip = (codec: Codec, value: unknown) => {
      const frames = [
        {
          t: 'msg',
          mode: 1,
          env: { id: 'a:1', kind: 'msg', name: 'x', value, from: 'a', ts: 1, trace: [] },
        },
      ];
      try {
        return { frames: codec.decode(codec.encode(frames as never)) };
      } catch (e) {
        return { code: isExchangeError(e) ? e.code : String(e) };
      }
    };
    fc.assert(
      fc.property(anything, (value) => {
        const expected = roundTrip(json, value);
        expect(roundTrip(msgpack, value)).toEqual(expected);
        expect(roundTrip(compact, value)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
