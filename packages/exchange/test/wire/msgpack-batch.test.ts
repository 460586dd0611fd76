// The batch reader and writer (the envelope's fixed shape and pre-made keys) against the generic
// ones and msgpackr: the same frames both ways, envelopes in one shape, unknown fields dropped,
// and the same refusals.
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_FIELDS, cloneEnvelope, type Envelope } from '../../src/exchange/index.js';
import { readBatch, readMsgpack } from '../../src/wire/msgpack-read.js';
import { NOT_PLAIN, writeBatch, writeMsgpack } from '../../src/wire/msgpack-write.js';
import { batch, envelope } from './arbitraries.js';
import { codeOf } from './code-of.js';

const reference = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const referencePackr = new Packr({ useRecords: false, variableMapSize: true });

/** An envelope's fields that are set: the fixed shape's undefined ones left out. */
const setFields = (env: object) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));

/** Frames with their envelopes' unset fields left out, for comparison with generic decoding. */
const withSetFields = (frames: unknown) =>
  (frames as { env?: object }[]).map((f) => (f.env ? { ...f, env: setFields(f.env) } : f));

/** As the JSON codec would carry it: fast-check's objects may have other prototypes. */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const msg = (env: unknown) => ({ t: 'msg', env, mode: 1 });

describe('msgpack batches', () => {
  it('writes what the generic writer writes, and reads what the generic reader reads', () => {
    fc.assert(
      fc.property(batch.map(plain), (frames) => {
        const written = writeBatch(frames);
        // The same MessagePack value as the generic writer's (bytes may differ in key order).
        expect(reference.unpack(written)).toEqual(reference.unpack(writeMsgpack(frames)));
        expect(withSetFields(readBatch(written))).toEqual(readMsgpack(written));
        const packed = referencePackr.pack(frames) as Uint8Array;
        expect(withSetFields(readBatch(packed))).toEqual(readMsgpack(packed));
      }),
      { numRuns: 300 },
    );
  });

  it('reads every envelope into the shape the exchange gives its own', () => {
    fc.assert(
      fc.property(envelope.map(plain), (env) => {
        const [frame] = readBatch(writeBatch([msg(env)])) as { env: Envelope }[];
        expect(Object.keys(frame.env)).toEqual(Object.keys(cloneEnvelope(env)));
        for (const hop of frame.env.trace) expect(Object.keys(hop)).toEqual(['ex', 'at']);
      }),
      { numRuns: 200 },
    );
  });

  it('writes every field of ENVELOPE_FIELDS, in its order', () => {
    // Each field set to a value of its own (the writer does not check types: the validator does).
    const env: Record<string, unknown> = Object.fromEntries(
      ENVELOPE_FIELDS.map((f, i) => [f, `v${i}`]),
    );
    env.trace = [{ ex: 'a', at: 1 }];
    const [frame] = reference.unpack(writeBatch([msg(env)])) as { env: Record<string, unknown> }[];
    expect(Object.keys(frame.env)).toEqual([...ENVELOPE_FIELDS]);
    expect(frame.env).toEqual(env);
  });

  it('drops fields this version does not know, in envelopes and hops, but still checks them', () => {
    const env = {
      id: 'a:1',
      kind: 'msg',
      name: 'n',
      from: 'a',
      ts: 1,
      trace: [{ ex: 'a', at: 1, extra: 2 }],
      future: { x: 1 },
    };
    const packed = referencePackr.pack([{ ...msg(env), later: true }]) as Uint8Array;
    const [frame] = readBatch(packed) as { env: Record<string, unknown>; later: unknown }[];
    expect(frame.later).toBe(true); // a frame's own unknown fields are kept, as before
    expect(frame.env.future).toBeUndefined();
    expect(frame.env.trace).toEqual([{ ex: 'a', at: 1 }]);
    // Written by the batch writer, they are not sent on either.
    expect(reference.unpack(writeBatch([msg(env)]))[0].env).toEqual({
      ...env,
      trace: [{ ex: 'a', at: 1 }],
      future: undefined,
    });
    // A value outside JSON in a dropped field is refused all the same.
    const bad = new Uint8Array(referencePackr.pack([msg({ ...env, future: new Uint8Array(2) })]));
    expect(codeOf(() => readBatch(bad))).toBe('BAD_FRAME');
  });

  it('refuses prototype pollution in frames, envelopes and hops as the generic reader does', () => {
    const env =
      '{"id":"a:1","kind":"msg","name":"n","from":"a","ts":1,"trace":[{"ex":"a","at":1}]}';
    for (const text of [
      '[{"t":"ping","__proto__":1}]',
      `[{"t":"msg","mode":1,"env":${env.replace('{"id"', '{"__proto__":{"p":1},"id"')}}]`,
      `[{"t":"msg","mode":1,"env":${env.replace('{"id"', '{"constructor":{"prototype":{}},"id"')}}]`,
      `[{"t":"msg","mode":1,"env":${env.replace('"at":1}', '"at":1,"__proto__":2}')}}]`,
    ]) {
      const packed = new Uint8Array(referencePackr.pack(JSON.parse(text)));
      expect(
        codeOf(() => readBatch(packed)),
        text,
      ).toBe('BAD_FRAME');
      expect(
        codeOf(() => readMsgpack(packed)),
        text,
      ).toBe('BAD_FRAME');
    }
  });

  it('leaves what is not a batch of maps to the validator, read as it is', () => {
    for (const v of [
      7,
      'text',
      [1, 2],
      [{ t: 'msg', env: 'not a map' }],
      [{ t: 'msg', env: { trace: 'x' } }],
    ]) {
      const packed = new Uint8Array(referencePackr.pack(v));
      expect(readBatch(packed)).toEqual(readMsgpack(packed));
    }
  });

  it('gives up on values outside JSON, as the generic writer does', () => {
    expect(() => writeBatch([msg({ id: 'a:1', value: new Date(0), trace: [] })])).toThrow(
      NOT_PLAIN,
    );
    expect(() => writeBatch([msg({ id: 'a:1', ts: Number.NaN, trace: [] })])).toThrow(NOT_PLAIN);
  });

  it('reads traces of 16 hops and more (array 16) into the same shape', () => {
    const trace = Array.from({ length: 40 }, (_, i) => ({ ex: `x${i}`, at: i }));
    const [frame] = readBatch(writeBatch([msg({ id: 'a:1', trace })])) as { env: Envelope }[];
    expect(frame.env.trace).toEqual(trace);
  });
});
