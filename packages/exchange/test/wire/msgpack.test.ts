// The MessagePack reader and writer of the msgpack codec: checked against msgpackr (a reference
// implementation) both ways, at the edges of every encoding, and for what the reader refuses.
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/exchange/index.js';
import { MAX_READ_DEPTH, readMsgpack } from '../../src/wire/msgpack-read.js';
import { NOT_PLAIN, writeMsgpack } from '../../src/wire/msgpack-write.js';
import { jsonValue } from './arbitraries.js';
import { codeOf } from './code-of.js';

const reference = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const referencePackr = new Packr({ useRecords: false, variableMapSize: true });
const bytes = (...b: number[]) => new Uint8Array(b);

/** Values at the edges of each encoding: fix/8/16/32/64-bit integers, str 8/16/32, map 16. */
const EDGES: unknown[] = [
  0,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  2 ** 32 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32_768,
  -32_769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -Number.MAX_SAFE_INTEGER,
  2 ** 60,
  0.5,
  -1.25e-300,
  1.7976931348623157e308,
  '',
  'x'.repeat(31),
  'x'.repeat(32),
  'x'.repeat(63),
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(65_535),
  'x'.repeat(65_536),
  'é'.repeat(20),
  '€😀 mixed ascii',
  'a\u0000b',
  Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])),
  Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
  Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i])),
  Array.from({ length: 16 }, (_, i) => i),
  Array.from({ length: 70_000 }, (_, i) => i % 3),
  { nested: [{ a: [null, true, false] }], constructor: 'a string is fine' },
];

describe('msgpack writer and reader', () => {
  it.each(EDGES.map((v, i) => [i, v]))('edge value %i reads back as msgpackr reads it', (_, v) => {
    const written = writeMsgpack(v);
    expect(reference.unpack(written)).toEqual(v);
    expect(readMsgpack(written)).toEqual(v);
    expect(readMsgpack(referencePackr.pack(v) as Uint8Array)).toEqual(v);
  });

  it('agrees with msgpackr on any JSON value, both ways', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(reference.unpack(writeMsgpack(v))).toEqual(v);
        expect(readMsgpack(referencePackr.pack(v) as Uint8Array)).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('reads strings from a Buffer (sliced by Node) as from a plain Uint8Array', () => {
    // ws hands over Buffers: the reader slices their strings itself, and must refuse and keep
    // exactly what TextDecoder would.
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 80 })), (strings) => {
        const written = writeMsgpack(strings);
        const plain = readMsgpack(new Uint8Array(written));
        expect(readMsgpack(Buffer.from(written))).toEqual(plain);
        expect(plain).toEqual(reference.unpack(written));
      }),
      { numRuns: 300 },
    );
    const kept = ['\uFEFF at the start is data', 'a replacement \uFFFD of its own', '\uFEFF'];
    for (const s of kept) {
      expect(readMsgpack(Buffer.from(writeMsgpack(s)))).toBe(s);
      expect(readMsgpack(new Uint8Array(writeMsgpack(s)))).toBe(s);
    }
  });

  it('refuses invalid UTF-8 in a Buffer, short or long', () => {
    const invalid = [
      [0xc3, 0x28], // a lead byte without its continuation
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xc0, 0xaf], // an overlong form
      [0xff],
    ];
    for (const bad of invalid) {
      for (const pad of [0, 40]) {
        const text = [...Array.from({ length: pad }, () => 0x61), ...bad];
        const str8 = Buffer.from([0xd9, text.length, ...text]);
        expect(
          codeOf(() => readMsgpack(str8)),
          JSON.stringify(bad),
        ).toBe('BAD_FRAME');
      }
    }
  });

  it('sends -0 as 0 and leaves out undefined properties', () => {
    expect(Object.is(readMsgpack(writeMsgpack(-0)), 0)).toBe(true);
    expect(readMsgpack(writeMsgpack({ a: undefined, b: 1 }))).toStrictEqual({ b: 1 });
  });

  it.each([
    ['NaN', NaN],
    ['a Date', new Date(0)],
    ['a BigInt', 1n],
    ['a class instance', new (class Point {})()],
    ['undefined in an array', [undefined]],
    ['a function', { f: () => 1 }],
  ])('gives %s back to the codec to convert (NOT_PLAIN)', (_, v) => {
    expect(() => writeMsgpack(v)).toThrow(expect.toSatisfy((e) => e === NOT_PLAIN));
  });

  it('keeps every message intact while later large batches are encoded (regression: lost batches)', () => {
    // Batches of many sizes, so that some start with a chunk nearly full; each keeps its bytes.
    const batch = (n: number): Frame[] =>
      Array.from({ length: n }, (_, i) => ({ t: 'bye', reason: `${n}-${i}-${'x'.repeat(200)}` }));
    const sent = Array.from({ length: 60 }, (_, k) => {
      const frames = batch(50 + 37 * k);
      const data = writeMsgpack(frames);
      return { frames, data, copy: Buffer.from(data) };
    });
    for (const { frames, data, copy } of sent) {
      expect(copy.equals(data)).toBe(true);
      expect(JSON.stringify(readMsgpack(data))).toBe(JSON.stringify(frames));
    }
  });

  it('reads integer and boolean map keys as strings, as msgpackr does', () => {
    // {1: 'a', true: 'b'}
    expect(readMsgpack(bytes(0x82, 0x01, 0xa1, 0x61, 0xc3, 0xa1, 0x62))).toEqual({
      1: 'a',
      true: 'b',
    });
  });

  it.each([
    ['a nil map key', bytes(0x81, 0xc0, 0x01)],
    ['an array map key', bytes(0x81, 0x90, 0x01)],
    ['a float map key', bytes(0x81, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x01)],
    ['invalid UTF-8', bytes(0xa2, 0xc3, 0x28)],
    ['a lone continuation byte', bytes(0xa1, 0x80)],
    ['the never-used byte 0xc1', bytes(0xc1)],
    ['a str 8 cut short', bytes(0xd9, 0x05, 0x61)],
    ['a length cut short', bytes(0xdc, 0x00)],
    ['an array longer than the message', bytes(0xdd, 0xff, 0xff, 0xff, 0xff)],
    ['a map longer than the message', bytes(0xdf, 0x7f, 0xff, 0xff, 0xff, 0xc0)],
    ['a float 64 cut short', bytes(0xcb, 0x3f, 0xf8)],
    ['a uint 64 cut short', bytes(0xcf, 0, 0, 0)],
    ['a record extension (msgpackr)', bytes(0xd4, 0x72, 0x00)],
    ['float 32 infinity', bytes(0xca, 0x7f, 0x80, 0x00, 0x00)],
    ['a __proto__ key', new Uint8Array(referencePackr.pack(JSON.parse('{"__proto__":1}')))],
    [
      'a constructor holding a prototype',
      new Uint8Array(referencePackr.pack({ constructor: { prototype: {} } })),
    ],
  ])('refuses %s with BAD_FRAME', (_, data) => {
    expect(codeOf(() => readMsgpack(data))).toBe('BAD_FRAME');
  });

  it(`takes ${MAX_READ_DEPTH} levels of nesting and refuses more`, () => {
    const nested = (depth: number) => new Uint8Array([...Array<number>(depth).fill(0x91), 0xc0]);
    expect(codeOf(() => readMsgpack(nested(MAX_READ_DEPTH)))).toBe('no error');
    expect(codeOf(() => readMsgpack(nested(MAX_READ_DEPTH + 1)))).toBe('BAD_FRAME');
  });

  it('reads a view into a larger buffer from its own offset, and does not keep it', () => {
    const inner = writeMsgpack({ t: 'ping', n: 300 });
    const padded = new Uint8Array(inner.length + 16);
    padded.set(inner, 7);
    expect(readMsgpack(padded.subarray(7, 7 + inner.length))).toEqual({ t: 'ping', n: 300 });
  });

  it('keeps short strings apart that hash alike (the string cache compares every byte)', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    const again = readMsgpack(writeMsgpack([...words, ...words])) as string[];
    expect(again).toEqual([...words, ...words]);
  });
});
