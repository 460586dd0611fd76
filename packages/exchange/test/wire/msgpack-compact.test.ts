// The msgpack-compact codec (spec/protocol.md §11.3) against a reference MessagePack reader and
// writer (msgpackr): the exact layout of a msg frame, every envelope field in its bit, the frames
// it leaves as maps, what later versions may add, and what it refuses.
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_FIELDS } from '../../src/exchange/index.js';
import { msgpackCodec, msgpackCompactCodec } from '../../src/wire/index.js';
import type { WireFrame } from '../../src/wire/index.js';
import { readBatch } from '../../src/wire/msgpack-read.js';
import { batch } from './arbitraries.js';
import { codeOf } from './code-of.js';

const reference = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const referencePackr = new Packr({ useRecords: false, variableMapSize: true });
const codec = msgpackCompactCodec();
const T = 1767225600000;

const env = {
  id: 'app:m3x9.0:1',
  kind: 'req',
  name: 'users.list',
  value: { role: 'admin' },
  from: 'app',
  ts: T,
  trace: [
    { ex: 'app', at: T },
    { ex: 'hub', at: T + 1 },
  ],
  deadline: T + 5000,
};
const msg = (e: object, mode = 1) => ({ t: 'msg', env: e, mode }) as WireFrame;
/** The present bit of each envelope field: its place in ENVELOPE_FIELDS. */
const bit = (field: string) => 2 ** ENVELOPE_FIELDS.indexOf(field as never);
const bits = (...fields: string[]) => fields.reduce((sum, f) => sum + bit(f), 0);
const decodeBytes = (value: unknown) => codec.decode(new Uint8Array(referencePackr.pack(value)));

describe('msgpack-compact', () => {
  it('writes a msg frame as [mode, [present, ...fields]] with the trace as ex, at pairs', () => {
    const written = codec.encode([msg(env, 3), { t: 'ping', n: 1 }]) as Uint8Array;
    expect(reference.unpack(written)).toEqual([
      [
        3,
        [
          bits('id', 'kind', 'name', 'value', 'from', 'ts', 'trace', 'deadline'),
          'app:m3x9.0:1',
          'req',
          'users.list',
          { role: 'admin' },
          'app',
          T,
          ['app', T, 'hub', T + 1],
          T + 5000,
        ],
      ],
      { t: 'ping', n: 1 },
    ]);
    const ping: WireFrame = { t: 'ping', n: 1 };
    expect(codec.decode(written)).toEqual([withAllFields(msg(env, 3)), ping]);
  });

  it('carries every field of ENVELOPE_FIELDS in its own bit, in order', () => {
    // Each field a value of its own (the writer does not check types: the validator does).
    const all: Record<string, unknown> = Object.fromEntries(
      ENVELOPE_FIELDS.map((f, i) => [f, `v${i}`]),
    );
    all.trace = [{ ex: 'a', at: 1 }];
    const [[, written]] = reference.unpack(codec.encode([msg(all)]) as Uint8Array) as [
      [number, unknown[]],
    ];
    expect(written[0]).toBe(2 ** ENVELOPE_FIELDS.length - 1);
    expect(written.slice(1)).toEqual(
      ENVELOPE_FIELDS.map((f) => (f === 'trace' ? ['a', 1] : all[f])),
    );
    const [frame] = readBatch(codec.encode([msg(all)]) as Uint8Array, undefined, true) as {
      env: object;
    }[];
    expect(frame.env).toEqual(all);
  });

  it('reads ids of the same length apart, and equal ones alike', () => {
    for (const [cause, corr] of [
      ['app:m3x9.0:a', 'app:m3x9.0:b'],
      ['app:m3x9.0:a', 'app:m3x9.0:a'],
    ]) {
      const reply = { ...env, kind: 'rep', id: 'db:m3x9.0:a', cause, corr };
      for (const c of [codec, msgpackCodec()]) {
        const [frame] = c.decode(c.encode([msg(reply)])) as { env: typeof reply }[];
        expect([frame.env.id, frame.env.cause, frame.env.corr]).toEqual([reply.id, cause, corr]);
      }
    }
  });

  it('keeps null apart from an absent value', () => {
    const [withNull] = codec.decode(codec.encode([msg({ ...env, value: null })])) as {
      env: { value: unknown };
    }[];
    expect(withNull.env.value).toBeNull();
    const [without] = codec.decode(codec.encode([msg({ ...env, value: undefined })])) as {
      env: { value: unknown };
    }[];
    expect(without.env.value).toBeUndefined();
    expect('value' in without.env).toBe(true); // the fixed shape: present, undefined
  });

  it('writes as maps what the compact form cannot carry, and reads maps too', () => {
    const odd = msg({ ...env, trace: [{ ex: 'app', at: 'late' }] }); // refused by the validator
    const extra = { ...msg(env), later: true };
    const written = reference.unpack(codec.encode([extra]) as Uint8Array) as object[];
    expect(written[0]).toMatchObject({ t: 'msg', later: true });
    expect(reference.unpack(codec.encode([odd]) as Uint8Array)[0]).toMatchObject({ t: 'msg' });
    expect(codeOf(() => codec.decode(codec.encode([odd])))).toBe('BAD_FRAME');
    // A map-form msg frame from a compact peer reads as msgpack's does.
    const asMap = msgpackCodec().encode([msg(env)]);
    expect(codec.decode(asMap)).toEqual(msgpackCodec().decode(asMap));
  });

  it('reads a map envelope in an array frame as the map form reads it', () => {
    const mapEnv = { ...env, trace: [{ ex: 'app', at: T, hopx: 9 }], later: 'dropped' };
    const [frame] = decodeBytes([[2, mapEnv]]);
    const [asMap] = msgpackCodec().decode(new Uint8Array(referencePackr.pack([msg(mapEnv, 2)])));
    expect(frame).toEqual(asMap);
    expect(Object.keys((frame as { env: object }).env)).toEqual([...ENVELOPE_FIELDS]);
  });

  it('drops the fields of bits this version does not know, after checking them', () => {
    const present = bits('id', 'kind', 'name', 'from', 'ts', 'trace') + 2 ** 17 + 2 ** 20;
    const later = [1, [present, 'a:1', 'msg', 'n', 'a', 1, ['a', 1], 'x', { y: 2 }], 'more'];
    expect(decodeBytes([later])).toEqual([
      withAllFields(
        msg({ id: 'a:1', kind: 'msg', name: 'n', from: 'a', ts: 1, trace: [{ ex: 'a', at: 1 }] }),
      ),
    ]);
    const polluted = [
      1,
      [present, 'a:1', 'msg', 'n', 'a', 1, ['a', 1], 'x', JSON.parse('{"__proto__":1}')],
    ];
    expect(codeOf(() => decodeBytes([polluted]))).toBe('BAD_FRAME');
  });

  it('refuses broken compact frames with BAD_FRAME', () => {
    const present = bits('id', 'kind', 'name', 'from', 'ts', 'trace');
    const fields = ['a:1', 'msg', 'n', 'a', 1, ['a', 1]];
    const cases: [string, unknown][] = [
      ['a frame of one element', [1]],
      ['an empty envelope', [1, []]],
      ['more fields than the mask names', [1, [present, ...fields, 'extra']]],
      ['fewer fields than the mask names', [1, [present, ...fields.slice(1)]]],
      ['a mask that is not an integer', [1, [1.5, 'a:1']]],
      ['a negative mask', [1, [-1, 'a:1']]],
      ['a mask over 31 bits', [1, [2 ** 31, 'a:1']]],
      ['an odd trace', [1, [present, 'a:1', 'msg', 'n', 'a', 1, ['a', 1, 'b']]]],
      ['an envelope that is a string', [1, 'env']],
      ['a mode that is not a number', ['one', [present, ...fields]]],
      ['a missing id', [1, [present - bit('id'), ...fields.slice(1)]]],
    ];
    for (const [what, frame] of cases)
      expect(
        codeOf(() => decodeBytes([frame])),
        what,
      ).toBe('BAD_FRAME');
  });

  it('is smaller than msgpack, and both decode to the same frames', () => {
    fc.assert(
      fc.property(batch, (frames) => {
        const compact = codec.encode(frames) as Uint8Array;
        const maps = msgpackCodec().encode(frames) as Uint8Array;
        expect(codec.decode(compact)).toEqual(msgpackCodec().decode(maps));
        expect(compact.length).toBeLessThanOrEqual(maps.length);
      }),
      { numRuns: 200 },
    );
    const compact = (codec.encode([msg(env)]) as Uint8Array).length;
    const maps = (msgpackCodec().encode([msg(env)]) as Uint8Array).length;
    expect(compact).toBeLessThan(0.8 * maps);
  });
});

/** A decoded frame's envelope has every field (the fixed shape), unset ones undefined. */
function withAllFields(frame: WireFrame): WireFrame {
  if (frame.t !== 'msg') return frame;
  const all = Object.fromEntries(ENVELOPE_FIELDS.map((f) => [f, undefined]));
  return { ...frame, env: { ...all, ...frame.env } };
}
