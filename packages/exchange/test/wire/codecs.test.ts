// The codecs' behaviour beyond the vectors: what becomes of JavaScript values that JSON cannot
// hold, byte limits on multi-byte text, input types, batching, and the handshake helpers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExchangeError } from '../../src/index.js';
import type { Envelope, Frame } from '../../src/exchange/index.js';
import {
  CODECS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_FRAMES,
  createCodec,
  encodeBatches,
  jsonCodec,
  msgpackCodec,
  msgpackCompactCodec,
  peerLimits,
  resolveLimits,
} from '../../src/wire/index.js';
import type { Codec } from '../../src/wire/index.js';
import { batch } from './arbitraries.js';

const env = (value: unknown, extra: Partial<Envelope> = {}): Envelope => ({
  id: 'a:1',
  kind: 'msg',
  name: 'x',
  value,
  from: 'a',
  ts: 1,
  trace: [],
  ...extra,
});
const msg = (value: unknown): Frame => ({ t: 'msg', env: env(value), mode: 1 });
const valueAfter = (codec: Codec, value: unknown) =>
  (codec.decode(codec.encode([msg(value)]))[0] as { env: Envelope }).env.value;

function errorOf(fn: () => unknown): { code: string; message: string; data?: unknown } {
  try {
    fn();
  } catch (e) {
    if (isExchangeError(e)) return { code: e.code, message: e.message, data: e.data };
    throw e;
  }
  throw new Error('no error');
}

describe.each([jsonCodec(), msgpackCodec(), msgpackCompactCodec()])(
  '$name: values outside JSON',
  (codec) => {
    it('leaves out undefined properties, as the envelope’s unset optional fields are', () => {
      // The exchange builds every envelope with all its fields, most of them undefined.
      const full = {
        ...env(undefined),
        ...{ to: undefined, headers: undefined, corr: undefined },
      } as unknown as Envelope;
      const written = codec.encode([{ t: 'msg', env: full, mode: 1 }]);
      const bare = codec.encode([{ t: 'msg', env: env(undefined), mode: 1 }]);
      expect(written.length).toBe(bare.length); // nothing written for them
      const [frame] = codec.decode(written);
      // A decoder may give the envelope its unset fields as undefined (msgpack's fixed shape).
      const set = Object.entries((frame as { env: Envelope }).env).filter(
        ([, v]) => v !== undefined,
      );
      expect(set.map(([key]) => key)).toEqual(['id', 'kind', 'name', 'from', 'ts', 'trace']);
      expect(valueAfter(codec, { a: 1, b: undefined })).toStrictEqual({ a: 1 });
    });

    it('converts as JSON.stringify does: Date, NaN, undefined in arrays, Map, toJSON', () => {
      const value = {
        at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        nan: NaN,
        inf: -Infinity,
        list: [1, undefined, () => 1],
        map: new Map([['k', 1]]),
        custom: { toJSON: () => 'custom' },
        negativeZero: -0,
      };
      expect(valueAfter(codec, value)).toStrictEqual({
        at: '2026-01-02T03:04:05.000Z',
        nan: null,
        inf: null,
        list: [1, null, null],
        map: {},
        custom: 'custom',
        negativeZero: 0,
      });
    });

    it('refuses a BigInt or a cycle with BAD_MESSAGE, at the sender', () => {
      expect(errorOf(() => codec.encode([msg({ n: 1n })])).code).toBe('BAD_MESSAGE');
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      expect(errorOf(() => codec.encode([msg(cycle)])).code).toBe('BAD_MESSAGE');
    });

    it('decodes a view into a larger buffer (a ws message, a TCP chunk) from its offset', () => {
      const data = codec.encode([{ t: 'ping', n: 5 }]);
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      const padded = new Uint8Array(bytes.length + 8);
      padded.set(bytes, 4);
      expect(codec.decode(padded.subarray(4, 4 + bytes.length))).toEqual([{ t: 'ping', n: 5 }]);
    });

    it('does not pollute Object.prototype, and names the field that is wrong', () => {
      const text = '[{"t":"ping","x":{"__proto__":{"polluted":true}}}]';
      const data =
        codec.name === 'json' ? text : msgpackCodec().encode(JSON.parse(text) as Frame[]);
      expect(errorOf(() => codec.decode(data)).code).toBe('BAD_FRAME');
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      const bad = codec.encode([
        { t: 'ping' },
        msg(1),
        { t: 'msg', env: env(1, { ts: -1 }), mode: 1 },
      ]);
      expect(errorOf(() => codec.decode(bad))).toMatchObject({
        code: 'BAD_FRAME',
        message: 'frames[2].env.ts: must be a finite number >= 0, got -1',
        data: { path: 'frames[2].env.ts' },
      });
    });
  },
);

describe('json codec', () => {
  it('never writes a raw newline, so a batch is one TCP line', () => {
    fc.assert(
      fc.property(batch, (frames) => {
        expect(jsonCodec().encode(frames)).not.toContain('\n');
      }),
    );
    expect(jsonCodec().encode([msg('a\nb\r\u2028')])).not.toMatch(/[\n\r]/);
  });

  it('counts maxBytes in UTF-8 bytes, not characters', () => {
    const codec = jsonCodec({ maxBytes: 100 });
    const bye = (s: string) => `[{"t":"bye","reason":"${s}"}]`;
    const room = 100 - bye('').length; // bytes left for the reason
    // 'é' is 2 bytes, '€' 3, '😀' 4 (and 2 UTF-16 units): fill the room exactly, then one more.
    for (const [char, size] of [
      ['x', 1],
      ['é', 2],
      ['€', 3],
      ['😀', 4],
    ] as const) {
      const n = Math.floor(room / size);
      const exact = char.repeat(n) + 'x'.repeat(room - n * size);
      expect(codec.decode(bye(exact)), char).toHaveLength(1);
      expect(errorOf(() => codec.decode(bye(`${exact}x`))).code, char).toBe('TOO_LARGE');
    }
  });

  it('keeps the last of duplicate keys, as the spec says', () => {
    expect(jsonCodec().decode('[{"t":"ping","n":1,"n":2}]')).toEqual([{ t: 'ping', n: 2 }]);
  });
});

describe('msgpack codec', () => {
  it('takes bytes only', () => {
    expect(errorOf(() => msgpackCodec().decode('[{"t":"ping"}]')).code).toBe('BAD_FRAME');
  });

  it('is smaller than json for a realistic envelope', () => {
    const frame: Frame = {
      t: 'msg',
      mode: 1,
      env: env(
        { order: 'o-1', lines: [{ sku: 'a-1', qty: 2, price: 9.99 }] },
        {
          id: 'app:m3x9.0:12',
          name: 'orders.created',
          ts: 1767225600000,
          trace: [
            { ex: 'app', at: 1767225600000 },
            { ex: 'hub', at: 1767225600001 },
          ],
        },
      ),
    };
    const json = new TextEncoder().encode(jsonCodec().encode([frame]) as string).length;
    const binary = (msgpackCodec().encode([frame]) as Uint8Array).length;
    expect(binary).toBeLessThan(json);
  });
});

describe('limits and helpers', () => {
  it('resolveLimits fills in the defaults and refuses nonsense', () => {
    expect(resolveLimits()).toEqual({ maxBytes: DEFAULT_MAX_BYTES, maxFrames: DEFAULT_MAX_FRAMES });
    expect(resolveLimits({ maxFrames: 3 })).toEqual({ maxBytes: 1_048_576, maxFrames: 3 });
    expect(() => resolveLimits({ maxBytes: 0 })).toThrow(RangeError);
    expect(() => jsonCodec({ maxFrames: 1.5 })).toThrow(RangeError);
  });

  it('peerLimits reads a hello, with the defaults for what it leaves out', () => {
    const hello = { t: 'hello' as const, id: 'a', protocol: 1, adverts: [] };
    expect(peerLimits(hello)).toEqual({ maxBytes: 1_048_576, maxFrames: 1024 });
    expect(peerLimits({ ...hello, maxBytes: 70_000, maxFrames: 10 })).toEqual({
      maxBytes: 70_000,
      maxFrames: 10,
    });
  });

  it('createCodec makes each codec by name', () => {
    expect(CODECS).toEqual(['msgpack-compact', 'msgpack', 'json']);
    for (const name of CODECS) expect(createCodec(name).name).toBe(name);
    expect(createCodec('msgpack').binary).toBe(true);
    expect(createCodec('msgpack-compact').binary).toBe(true);
    expect(createCodec('json').binary).toBe(false);
  });
});

describe('encodeBatches', () => {
  const pings = (n: number): Frame[] => Array.from({ length: n }, (_, i) => ({ t: 'ping', n: i }));
  const decodeAll = (codec: Codec, out: (string | Uint8Array)[]) =>
    out.flatMap((d) => codec.decode(d));
  /** The messages encodeBatches writes, in order. */
  const encodeAll = (
    codec: Codec,
    frames: Frame[],
    limits: { maxBytes: number; maxFrames: number },
    onTooLarge: (frame: Frame, bytes: number) => void,
  ) => {
    const out: (string | Uint8Array)[] = [];
    encodeBatches(codec, frames, limits, onTooLarge, (data) => out.push(data));
    return out;
  };

  it.each([jsonCodec(), msgpackCodec(), msgpackCompactCodec()])(
    '$name: splits by maxFrames and keeps the order',
    (codec) => {
      const out = encodeAll(codec, pings(10), { maxBytes: 1 << 20, maxFrames: 4 }, () => {});
      expect(out).toHaveLength(3);
      expect(decodeAll(codec, out)).toEqual(pings(10));
    },
  );

  it.each([jsonCodec(), msgpackCodec(), msgpackCompactCodec()])(
    '$name: splits by maxBytes; a frame too large alone is handed back',
    (codec) => {
      const big = msg('x'.repeat(500));
      const frames = [...pings(30), big, ...pings(5)];
      const tooLarge: [Frame, number][] = [];
      const out = encodeAll(codec, frames, { maxBytes: 200, maxFrames: 1000 }, (f, n) =>
        tooLarge.push([f, n]),
      );
      expect(tooLarge.map(([f]) => f)).toEqual([big]);
      expect(tooLarge[0][1]).toBeGreaterThan(200);
      for (const d of out)
        expect(
          typeof d === 'string' ? new TextEncoder().encode(d).length : d.length,
        ).toBeLessThanOrEqual(200);
      expect(decodeAll(codec, out)).toEqual([...pings(30), ...pings(5)]);
    },
  );

  it.each([jsonCodec(), msgpackCodec(), msgpackCompactCodec()])(
    '$name: writes nothing when a batch past the first cannot be encoded',
    (codec) => {
      const frames = [...pings(5), msg(10n)];
      const out: (string | Uint8Array)[] = [];
      expect(() =>
        encodeBatches(
          codec,
          frames,
          { maxBytes: 1 << 20, maxFrames: 4 },
          () => {},
          (d) => out.push(d),
        ),
      ).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
      expect(out).toEqual([]);
    },
  );

  it('sends everything as one batch when it fits', () => {
    const out = encodeAll(jsonCodec(), pings(100), resolveLimits(), () => {});
    expect(out).toEqual([JSON.stringify(pings(100))]);
  });
});
