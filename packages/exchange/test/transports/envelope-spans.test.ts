// Envelope spans for the message log (src/transport/envelope-spans.ts), with the real msgpack
// codec: the batch being handed on gets its envelopes' bytes; a batch decoded meanwhile (a
// carrier that delivers synchronously) gets none, whichever link it is for.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/exchange/index.js';
import type { Codec } from '../../src/wire/index.js';
import { decodeNoting, envelopeBytes, handedOn } from '../../src/transport/envelope-spans.js';
import { jsonCodec, msgpackCodec, msgpackCompactCodec } from '../../src/wire/index.js';

const env = (id: string): Envelope => ({
  id,
  kind: 'msg',
  name: 'n',
  value: id,
  from: 'a',
  ts: 1,
  trace: [{ ex: 'a', at: 1 }],
});
const batchOf =
  (codec: Codec) =>
  (...ids: string[]) =>
    codec.encode([
      { t: 'ping' },
      ...ids.map((id) => ({ t: 'msg' as const, env: env(id), mode: 1 })),
    ]);

/** The envelope handed on with frames[i], read back from a copy of its bytes. */
function readBack(frames: Parameters<typeof envelopeBytes>[0], i: number): Envelope | undefined {
  const b = envelopeBytes(frames, i);
  return b && b.read(b.data.slice(b.start, b.end));
}

describe.each([msgpackCodec(), msgpackCompactCodec()])('envelope spans ($name)', (codec) => {
  const batch = batchOf(codec);
  it('hands on the bytes of each envelope of the batch, none for other frames', () => {
    const frames = decodeNoting(codec, batch('a:1', 'a:2'));
    try {
      expect(envelopeBytes(frames, 0)).toBeUndefined(); // the ping
      expect(readBack(frames, 1)).toMatchObject(env('a:1'));
      expect(readBack(frames, 2)).toMatchObject(env('a:2'));
    } finally {
      handedOn(frames);
    }
    expect(envelopeBytes(frames, 1)).toBeUndefined(); // handed on: nothing kept
  });

  it('reads back a msg frame written as a map (fields of its own) as it was decoded', () => {
    const frames = decodeNoting(
      codec,
      codec.encode([
        {
          t: 'msg',
          env: { ...env('m:1'), later: 'a field of a later version' },
          mode: 1,
          later: true,
        } as never,
        { t: 'msg', env: env('m:2'), mode: 2 },
      ]),
    );
    try {
      for (const i of [0, 1]) {
        const decoded = (frames[i] as { env: Envelope }).env;
        expect(readBack(frames, i)).toEqual(decoded);
      }
    } finally {
      handedOn(frames);
    }
  });

  it('gives a batch decoded while another is handed on no bytes, and keeps the first one', () => {
    const outer = decodeNoting(codec, batch('outer:1'));
    const inner = decodeNoting(codec, batch('inner:1'));
    expect(inner[1]).toMatchObject({ t: 'msg', env: { id: 'inner:1' } });
    expect(envelopeBytes(inner, 1)).toBeUndefined();
    handedOn(inner);
    expect(readBack(outer, 1)?.id).toBe('outer:1');
    handedOn(outer);
    const next = decodeNoting(codec, batch('next:1')); // free again
    expect(readBack(next, 1)?.id).toBe('next:1');
    handedOn(next);
  });

  it('writes an envelope alone as bytes that read back as a batch would carry it', () => {
    const full: Envelope = {
      ...env('w:1'),
      kind: 'rep',
      to: 'b',
      headers: { h: 'v' },
      trace: [
        { ex: 'a', at: 1 },
        { ex: 'b', at: 2.5 },
      ],
      start: 1,
      cause: 'a:0',
      corr: 'a:0',
      deadline: 9,
      value: { n: 1, s: 'é€😀', list: [1, null, true], skipped: undefined },
    };
    const odd = { ...env('w:2'), trace: [{ ex: 'a', at: 1, note: 'not in the wire form' }] };
    for (const e of [env('w:0'), full, odd as Envelope]) {
      const bytes = codec.writeEnvelope!(e)!;
      const [carried] = codec.decode(codec.encode([{ t: 'msg', env: e, mode: 1 }]));
      expect(codec.readEnvelope!(bytes.slice())).toEqual((carried as { env: Envelope }).env);
    }
  });

  it('writes no bytes for an envelope whose value it must convert first (Date, BigInt)', () => {
    expect(codec.writeEnvelope!({ ...env('d:1'), value: new Date(0) })).toBeUndefined();
    expect(codec.writeEnvelope!({ ...env('d:2'), value: { n: 1n } })).toBeUndefined();
    // The writer is still usable after.
    expect(codec.readEnvelope!(codec.writeEnvelope!(env('d:3'))!.slice())).toMatchObject(
      env('d:3'),
    );
  });

  it('shares its envelope writer with every codec of its name (an exchange knows them by it)', () => {
    const other =
      codec.name === 'msgpack'
        ? msgpackCodec({ maxBytes: 70_000 })
        : msgpackCompactCodec({ maxBytes: 70_000 });
    expect(other.writeEnvelope).toBe(codec.writeEnvelope);
    expect(jsonCodec().writeEnvelope).toBeUndefined();
  });

  it('notes nothing for a codec that cannot read an envelope back (json)', () => {
    const json = jsonCodec();
    const frames = decodeNoting(json, json.encode([{ t: 'msg', env: env('j:1'), mode: 1 }]));
    expect(envelopeBytes(frames, 0)).toBeUndefined();
    handedOn(frames);
  });
});
