import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../../src/exchange/errors.js';
import { matches } from '../../src/exchange/names.js';
import { PatternTrie } from '../../src/exchange/trie.js';

/** A trie holding each [pattern, value] pair. */
function trieOf<T>(entries: [string, T][]): PatternTrie<T> {
  const trie = new PatternTrie<T>();
  for (const [p, v] of entries) trie.add(p, v);
  return trie;
}

const sorted = <T>(values: Iterable<T>) => [...values].map(String).sort();

describe('PatternTrie.add and match', () => {
  it('matches exact names only against the same tokens', () => {
    const trie = trieOf([
      ['db.query', 1],
      ['db.insert', 2],
      ['db', 3],
      ['db.query.slow', 4],
    ]);
    expect(trie.match('db.query')).toEqual([1]);
    expect(trie.match('db')).toEqual([3]);
    expect(trie.match('db.query.slow')).toEqual([4]);
    expect(trie.match('db.delete')).toEqual([]);
    expect(trie.match('dbx')).toEqual([]);
  });

  it('matches * as exactly one token', () => {
    const trie = trieOf([
      ['a.*', 'a.*'],
      ['*.b', '*.b'],
      ['*', '*'],
      ['a.*.c', 'a.*.c'],
    ]);
    expect(sorted(trie.match('a.b'))).toEqual(['*.b', 'a.*']);
    expect(trie.match('a')).toEqual(['*']);
    expect(trie.match('a.x.c')).toEqual(['a.*.c']);
    expect(trie.match('a.x.y')).toEqual([]);
  });

  it('matches a final > as one or more tokens, never zero', () => {
    const trie = trieOf([
      ['a.>', 'a.>'],
      ['>', '>'],
      ['a.*.>', 'a.*.>'],
    ]);
    expect(trie.match('a')).toEqual(['>']);
    expect(sorted(trie.match('a.b'))).toEqual(['>', 'a.>']);
    expect(sorted(trie.match('a.b.c'))).toEqual(['>', 'a.*.>', 'a.>']);
    expect(trie.match('b.c')).toEqual(['>']);
  });

  it('returns every value of overlapping patterns, each once', () => {
    const shared = { id: 'shared' };
    const trie = new PatternTrie<object | string>()
      .add('db.query', shared)
      .add('db.*', shared)
      .add('db.>', shared)
      .add('>', shared)
      .add('db.query', 'exact')
      .add('db.*', 'star');
    const found = trie.match('db.query');
    expect(found).toHaveLength(3);
    expect(new Set(found)).toEqual(new Set([shared, 'exact', 'star']));
  });

  it('dedupes through many values too (past the linear-scan limit)', () => {
    const trie = new PatternTrie<number>();
    for (let i = 0; i < 100; i++)
      trie
        .add('a.b', i)
        .add('a.*', i)
        .add('a.>', i + 50);
    const found = trie.match('a.b');
    expect(found).toHaveLength(150);
    expect(new Set(found).size).toBe(150);
  });

  it('keeps insertion order within one pattern', () => {
    const trie = trieOf([
      ['x', 3],
      ['x', 1],
      ['x', 2],
    ]);
    expect(trie.match('x')).toEqual([3, 1, 2]);
    expect(trie.get('x')).toEqual([3, 1, 2]);
  });

  it('ignores adding the same value to the same pattern twice', () => {
    const trie = trieOf([
      ['a', 1],
      ['a', 1],
    ]);
    expect(trie.size).toBe(1);
    expect(trie.match('a')).toEqual([1]);
  });

  it('appends to an array it is given, deduping only what this call adds', () => {
    const trie = trieOf([
      ['a.*', 1],
      ['a.b', 1],
      ['a.b', 2],
    ]);
    const out = [2, 9];
    expect(trie.match('a.b', out)).toBe(out);
    expect(out.slice(0, 2)).toEqual([2, 9]);
    expect(sorted(out.slice(2))).toEqual(['1', '2']);
  });

  it('adds to a Set it is given, and returns that Set', () => {
    const trie = trieOf([
      ['a.*', 1],
      ['a.>', 2],
      ['a.b', 1],
    ]);
    const out = new Set([0]);
    expect(trie.match('a.b', out)).toBe(out);
    expect(sorted(out)).toEqual(['0', '1', '2']);
  });

  it('treats a pattern as literal tokens when matching a name', () => {
    // Names never contain wildcards; a stray one is just a token no literal pattern has.
    const trie = trieOf([
      ['a.*', 'star'],
      ['a.b', 'b'],
    ]);
    expect(trie.match('a.*')).toEqual(['star']);
  });

  it('rejects invalid patterns with InvalidNameError', () => {
    const trie = new PatternTrie<number>();
    expect(() => trie.add('a..b', 1)).toThrow(InvalidNameError);
    expect(() => trie.add('a.>.b', 1)).toThrow("'>' must be the last token");
    expect(trie.size).toBe(0);
  });
});

describe('PatternTrie.remove', () => {
  it('removes one value and reports whether it was there', () => {
    const trie = trieOf([
      ['a.b', 1],
      ['a.b', 2],
      ['a.*', 1],
    ]);
    expect(trie.remove('a.b', 1)).toBe(true);
    expect(trie.remove('a.b', 1)).toBe(false);
    expect(trie.remove('a.c', 2)).toBe(false);
    expect(trie.remove('a.*', 2)).toBe(false);
    expect(trie.remove('a.>', 1)).toBe(false);
    expect(trie.remove('a..b', 1)).toBe(false);
    expect(sorted(trie.match('a.b'))).toEqual(['1', '2']); // 1 still through a.*
    expect(trie.size).toBe(2);
  });

  it('prunes nodes left empty, and only those', () => {
    const trie = trieOf([
      ['a.b.c.d', 1],
      ['a.b', 2],
      ['a.*.>', 3],
      ['>', 4],
    ]);
    expect(trie.remove('a.b.c.d', 1)).toBe(true);
    expect(trie.has('a.b')).toBe(true);
    expect(trie.remove('a.*.>', 3)).toBe(true);
    expect(trie.remove('>', 4)).toBe(true);
    expect([...trie.patterns()]).toEqual([['a.b', [2]]]);
    expect(trie.remove('a.b', 2)).toBe(true);
    expect(trie.size).toBe(0);
    expect([...trie.patterns()]).toEqual([]);
    expect(trie.nodes).toBe(1); // just the root
  });

  it('keeps a node that still has children when its own values go', () => {
    const trie = trieOf([
      ['a', 1],
      ['a.b', 2],
    ]);
    trie.remove('a', 1);
    expect(trie.match('a.b')).toEqual([2]);
    expect(trie.match('a')).toEqual([]);
  });
});

describe('PatternTrie introspection', () => {
  it('has, get, size, patterns, clear', () => {
    const trie = trieOf([
      ['a.b', 1],
      ['a.*', 2],
      ['a.>', 3],
      ['a.>', 4],
      ['>', 5],
    ]);
    expect(trie.size).toBe(5);
    expect(trie.has('a.b')).toBe(true);
    expect(trie.has('a.b', 1)).toBe(true);
    expect(trie.has('a.b', 2)).toBe(false);
    expect(trie.has('a.c')).toBe(false); // a.* does not count: has() is by pattern, not match
    expect(trie.has('a')).toBe(false);
    expect(trie.get('a.>')).toEqual([3, 4]);
    expect(trie.get('a.c')).toEqual([]);
    expect(new Map(trie.patterns())).toEqual(
      new Map([
        ['a.b', [1]],
        ['a.*', [2]],
        ['a.>', [3, 4]],
        ['>', [5]],
      ]),
    );
    trie.clear();
    expect(trie.size).toBe(0);
    expect(trie.match('a.b')).toEqual([]);
  });

  it('hands out copies, so callers cannot corrupt it', () => {
    const trie = trieOf([['a', 1]]);
    trie.get('a').push(2);
    for (const [, values] of trie.patterns()) values.push(3);
    expect(trie.match('a')).toEqual([1]);
  });
});

describe('PatternTrie properties', () => {
  const token = fc.constantFrom('a', 'b', 'c');
  const name = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join('.'));
  const pattern = fc
    .tuple(fc.array(fc.constantFrom('a', 'b', 'c', '*'), { maxLength: 4 }), fc.boolean())
    .filter(([tokens, rest]) => tokens.length > 0 || rest)
    .map(([tokens, rest]) => [...tokens, ...(rest ? ['>'] : [])].join('.'));
  const entries = fc.array(fc.tuple(pattern, fc.integer({ min: 0, max: 9 })), { maxLength: 30 });

  /** What match must return: every value of a matching pattern, as a set. */
  const bruteForce = (list: [string, number][], n: string) =>
    new Set(list.filter(([p]) => matches(p, n)).map(([, v]) => v));

  it('match equals the brute-force filter with matches(), without duplicates', () => {
    fc.assert(
      fc.property(entries, fc.array(name, { minLength: 1, maxLength: 10 }), (list, names) => {
        const trie = trieOf(list);
        for (const n of names) {
          const found = trie.match(n);
          expect(new Set(found)).toEqual(bruteForce(list, n));
          expect(found).toHaveLength(new Set(found).size);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('after removing some entries, still equals the brute force over the rest', () => {
    fc.assert(
      fc.property(entries, fc.array(fc.boolean()), name, (list, drop, n) => {
        const trie = trieOf(list);
        const kept = list.filter((entry, i) => {
          if (!drop[i]) return true;
          trie.remove(...entry);
          return false;
        });
        // A pair added twice and removed once is gone: the trie holds pairs as a set.
        const live = kept.filter(
          ([p, v]) => !list.some((e, i) => drop[i] && e[0] === p && e[1] === v),
        );
        expect(new Set(trie.match(n))).toEqual(bruteForce(live, n));
        expect(trie.size).toBe(new Set(live.map(([p, v]) => `${p} ${v}`)).size);
      }),
      { numRuns: 500 },
    );
  });

  it('removing everything leaves an empty root', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const trie = trieOf(list);
        for (const [p, v] of list) trie.remove(p, v);
        expect(trie.size).toBe(0);
        expect(trie.nodes).toBe(1);
      }),
    );
  });
});
