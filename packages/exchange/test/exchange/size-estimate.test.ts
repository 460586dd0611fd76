import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_PARTS, estimateSize } from '../../src/exchange/size-estimate.js';

const MiB = 1024 * 1024;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** `{ next: { next: … } }`, `depth` levels, built without recursion. */
function chain(depth: number): object {
  let node: object = { end: true };
  for (let i = 0; i < depth; i++) node = { next: node };
  return node;
}

describe('estimateSize', () => {
  it('counts primitives as a slot and strings by their length', () => {
    expect(estimateSize(1, NO_LIMIT)).toBe(8);
    expect(estimateSize(true, NO_LIMIT)).toBe(8);
    expect(estimateSize(null, NO_LIMIT)).toBe(8);
    expect(estimateSize(undefined, NO_LIMIT)).toBe(8);
    const short = estimateSize('abc', NO_LIMIT);
    expect(estimateSize('x'.repeat(5 * MiB), NO_LIMIT) - short).toBe(5 * MiB - 3);
  });

  it('counts binary data by byteLength', () => {
    expect(estimateSize(new Uint8Array(MiB), NO_LIMIT)).toBeGreaterThanOrEqual(MiB);
    expect(estimateSize(new Float64Array(1000), NO_LIMIT)).toBeGreaterThanOrEqual(8000);
    expect(estimateSize(new ArrayBuffer(4096), NO_LIMIT)).toBeGreaterThanOrEqual(4096);
    expect(estimateSize({ payload: Buffer.alloc(MiB) }, NO_LIMIT)).toBeGreaterThanOrEqual(MiB);
  });

  it('sums the parts of arrays, objects, maps and sets, nested', () => {
    const text = 'y'.repeat(1000);
    const flat = estimateSize({ a: text }, NO_LIMIT);
    expect(flat).toBeGreaterThan(1000);
    expect(estimateSize([text, text, text], NO_LIMIT)).toBeGreaterThan(3000);
    expect(estimateSize({ list: [{ a: text }, { b: [text] }] }, NO_LIMIT)).toBeGreaterThan(2000);
    expect(estimateSize(new Map([['k', text]]), NO_LIMIT)).toBeGreaterThan(1000);
    expect(estimateSize(new Set([text, text + '!']), NO_LIMIT)).toBeGreaterThan(2000);
    // More of the same costs more.
    expect(estimateSize({ a: text, b: text }, NO_LIMIT)).toBeGreaterThan(flat);
  });

  it('stops once past the limit, with a lower bound above it', () => {
    const big = Array.from({ length: 100 }, () => ({ s: 'z'.repeat(10_000) }));
    const full = estimateSize(big, NO_LIMIT);
    expect(full).toBeGreaterThan(1_000_000);
    const stopped = estimateSize(big, 50_000);
    expect(stopped).toBeGreaterThan(50_000);
    expect(stopped).toBeLessThan(full);
  });

  it(`gives up on an array of more than ${MAX_PARTS} items: negative, with a lower bound`, () => {
    const result = estimateSize(new Array(1_000_000).fill(0), NO_LIMIT);
    expect(result).toBeLessThan(0);
    expect(-result).toBeGreaterThanOrEqual(8_000_000); // a slot per item, known without a visit
    expect(estimateSize(new Array(MAX_PARTS).fill(0), NO_LIMIT)).toBeGreaterThan(0);
  });

  it(`gives up on an object of more than ${MAX_PARTS} properties, however small`, () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i <= MAX_PARTS; i++) wide[`k${i}`] = i;
    expect(estimateSize(wide, NO_LIMIT)).toBeLessThan(0);
    // The parts are counted across the whole value, not per container.
    const rows = Array.from({ length: 100 }, () => ({ a: 1, b: 2, c: 3, d: 4, e: 5 }));
    expect(estimateSize(rows, NO_LIMIT)).toBeGreaterThan(0);
    expect(estimateSize([rows, rows, rows, rows, rows, rows, rows, rows], NO_LIMIT)).toBeLessThan(
      0,
    );
  });

  it(`gives up on a value nested more than ${MAX_DEPTH} deep, without overflowing the stack`, () => {
    const deep = chain(200_000);
    expect(() => estimateSize(deep, NO_LIMIT)).not.toThrow();
    expect(estimateSize(deep, NO_LIMIT)).toBeLessThan(0);
    expect(estimateSize(chain(MAX_DEPTH + 1), NO_LIMIT)).toBeLessThan(0);
    expect(estimateSize(chain(MAX_DEPTH), NO_LIMIT)).toBeGreaterThan(MAX_DEPTH * 24);
    let nested: unknown[] = [];
    for (let i = 0; i < 200_000; i++) nested = [nested];
    expect(estimateSize(nested, NO_LIMIT)).toBeLessThan(0);
  });

  it('gives up on a large Map or Set before copying its entries', () => {
    const map = new Map(Array.from({ length: 100_000 }, (_, i) => [i, i]));
    expect(estimateSize(map, NO_LIMIT)).toBeLessThanOrEqual(-100_000 * 8);
    expect(estimateSize(new Set(map.keys()), NO_LIMIT)).toBeLessThan(0);
  });

  it('gives up on a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(estimateSize(a, NO_LIMIT)).toBeLessThan(0);
  });

  it('never throws: a throwing getter or a revoked proxy is unmeasured', () => {
    const getter = {
      get boom(): never {
        throw new Error('boom');
      },
    };
    expect(estimateSize(getter, NO_LIMIT)).toBeLessThan(0);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(estimateSize({ inner: proxy }, NO_LIMIT)).toBeLessThan(0);
  });
});
