// (t) Routing-table lookups: names matched per second by `PatternTrie.match` (the token trie the
// routing table keeps its handled and observed patterns in) from the build, with 10 and with 10,000
// patterns: exact names, `*` and `>` mixed, as services register them. Each name looked up matches
// a few of them (2 to 4). A linear scan with the public `matches()` over the same patterns shows
// what the trie saves. Every lookup's count of values is checked against a brute-force count.
import { expectEqual } from './harness.mjs';

/** The pattern counts compared (the target: lookups at the larger within 2x of the smaller). */
export const SIZES = [10, 10_000];
/** Distinct names looked up in turn (a power of 2). */
const NAME_POOL = 64;

const sized = (count) => count.toLocaleString('en');

export const scenario = {
  id: 't',
  name: 'trie',
  title: 'routing-table lookups: PatternTrie.match, names matching 2–4 patterns',
  unit: 'lookups/s',
  kind: 'rate',
  base: 'trie10',
  rows: () => [
    ...SIZES.map((count) => ({
      key: `trie${count}`,
      label: `ours, trie, ${sized(count)} patterns`,
      make: (m) => m.trieCase(count),
    })),
    ...SIZES.map((count) => ({
      key: `scan${count}`,
      label: `linear scan with matches(), ${sized(count)} patterns`,
      make: (m) => m.scanCase(count),
    })),
  ],
};

/** Patterns every service's names may meet: wildcards across services (observers, say). */
const SHARED = ['*.user.get', '*.*.put', 'audit.>'];
/** What service `s` registers, in order: handlers of exact names, and wildcards. */
const perService = (s) => [
  `svc${s}.user.get`,
  `svc${s}.user.*`,
  `svc${s}.order.put`,
  `svc${s}.>`,
  `svc${s}.*.list`,
];

/** `count` patterns: the shared ones, then whole services' patterns until there are enough. */
export function makePatterns(count) {
  const patterns = [...SHARED];
  for (let s = 0; patterns.length < count; s++) {
    patterns.push(...perService(s).slice(0, count - patterns.length));
  }
  return patterns;
}

/** NAME_POOL names of the services with all their patterns (a get, a put or a list each). */
export function makeNames(patterns) {
  const whole = Math.floor((patterns.length - SHARED.length) / perService(0).length);
  const list = Array.from({ length: whole }, (_, s) => `svc${s}`);
  const actions = ['user.get', 'order.put', 'item.list'];
  return Array.from({ length: NAME_POOL }, (_, k) => {
    const service = list[Math.floor(((k + 0.5) * list.length) / NAME_POOL)];
    return `${service}.${actions[k % actions.length]}`;
  });
}

/** Load the trie and `matches` from the build; patterns, names and how many each name matches. */
async function load(distUrl, count) {
  const [{ PatternTrie }, { matches }] = await Promise.all([
    import(new URL('exchange/trie.js', distUrl).href),
    import(new URL('index.js', distUrl).href),
  ]);
  const patterns = makePatterns(count);
  const names = makeNames(patterns);
  const expected = names.map((n) => patterns.filter((p) => matches(p, n)).length);
  return { PatternTrie, matches, patterns, names, expected };
}

export function trieCase(count) {
  return {
    async prepare({ distUrl }) {
      const { PatternTrie, patterns, names, expected } = await load(distUrl, count);
      const trie = new PatternTrie();
      patterns.forEach((p, i) => trie.add(p, i));
      let next = 0;
      return (n) => {
        let found = 0;
        let want = 0;
        for (let k = 0; k < n; k++) {
          const i = next++ & (NAME_POOL - 1);
          found += trie.match(names[i]).length;
          want += expected[i];
        }
        expectEqual(found, want, 'patterns matched');
      };
    },
  };
}

export function scanCase(count) {
  return {
    async prepare({ distUrl }) {
      const { matches, patterns, names, expected } = await load(distUrl, count);
      let next = 0;
      return (n) => {
        let found = 0;
        let want = 0;
        for (let k = 0; k < n; k++) {
          const i = next++ & (NAME_POOL - 1);
          const name = names[i];
          for (let p = 0; p < patterns.length; p++) if (matches(patterns[p], name)) found++;
          want += expected[i];
        }
        expectEqual(found, want, 'patterns matched');
      };
    },
  };
}
