// Trie lookup: names matched per second by `PatternTrie.match` from the built library, with 10
// and with 10,000 patterns (exact, `*` and `>` mixed), each looked-up name matching 2 or 3 of
// them. A linear scan with `matches()` over the same patterns is the baseline a trie must beat.
//
// Export: `async function runTrieBench(options?)` resolves to rows `{ scenario, ours, unit }`
// (`ours` in lookups/s, the median of `runs` timed runs). Options, all optional:
//   dist      the built library folder (default: ../dist next to this folder)
//   budgetMs  length of one timed run (default 300)
//   runs      timed runs per row (default 5)
// Run alone after `npm run build`: node packages/exchange/bench/trie-lookup.mjs [--json]
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const UNIT = 'lookups/s';
/** Distinct names looked up in turn (the same for both sizes, so only the pattern count varies). */
const NAME_POOL = 64;

/**
 * `count` patterns: per service `svc<i>`, an exact, a `*` or a `>` pattern, plus a few wildcards
 * across services, of which `*.user.get` matches every looked-up name.
 */
function makePatterns(count) {
  const patterns = ['*.user.get', 'audit.>', '*.*.put'];
  for (let i = 0; patterns.length < count; i++) {
    const kind = i % 5;
    if (kind < 3) patterns.push(`svc${i}.user.get`);
    else if (kind === 3) patterns.push(`svc${i}.*.get`);
    else patterns.push(`svc${i}.>`);
  }
  return patterns;
}

/** Names of services that have a pattern, spread over all of them. */
function makeNames(patterns) {
  const services = patterns.filter((p) => p.startsWith('svc')).length;
  return Array.from({ length: NAME_POOL }, (_, k) => {
    const i = Math.floor(((k + 0.5) * services) / NAME_POOL);
    return `svc${i}.user.get`;
  });
}

/** `run(n)` does n lookups and checks the total number of values found. */
function lookupCase(trie, names, expected) {
  let next = 0;
  return (n) => {
    let found = 0;
    let want = 0;
    for (let k = 0; k < n; k++) {
      const i = next++ & (NAME_POOL - 1);
      found += trie.match(names[i]).length;
      want += expected[i];
    }
    if (found !== want) throw new Error(`trie lookup: found ${found} values, expected ${want}`);
  };
}

function scanCase(matches, patterns, names, expected) {
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
    if (found !== want) throw new Error(`linear scan: found ${found} values, expected ${want}`);
  };
}

/** Lookups per second: warm up, size a ~5 ms batch, then the median of `runs` timed runs. */
function measure(run, { budgetMs, runs }) {
  let batch = 1;
  for (const end = performance.now() + 200; performance.now() < end;) {
    const t0 = performance.now();
    run(batch);
    if (performance.now() - t0 < 5) batch *= 2;
  }
  const rates = [];
  for (let r = 0; r < runs; r++) {
    let ops = 0;
    const t0 = performance.now();
    let elapsed;
    do {
      run(batch);
      ops += batch;
      elapsed = performance.now() - t0;
    } while (elapsed < budgetMs);
    rates.push(ops / (elapsed / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

/**
 * Measure trie lookups with 10 and 10,000 patterns, and the linear-scan baseline.
 * @returns rows `{ scenario, ours, unit }`, `ours` in lookups/s.
 */
export async function runTrieBench(options = {}) {
  const { dist = new URL('../dist/', import.meta.url).href, budgetMs = 300, runs = 5 } = options;
  const base = dist.endsWith('/') ? dist : `${dist}/`;
  const root = /^[a-z]+:/.test(base) ? base : pathToFileURL(base).href;
  const { PatternTrie } = await import(new URL('exchange/trie.js', root).href);
  const { matches } = await import(new URL('exchange/names.js', root).href);
  const rows = [];
  for (const count of [10, 10_000]) {
    const patterns = makePatterns(count);
    const names = makeNames(patterns);
    const expected = names.map((n) => patterns.filter((p) => matches(p, n)).length);
    const trie = new PatternTrie();
    patterns.forEach((p, i) => trie.add(p, i));
    const label = count.toLocaleString('en-US');
    const timing = { budgetMs, runs };
    rows.push({
      scenario: `trie.match, ${label} patterns`,
      ours: measure(lookupCase(trie, names, expected), timing),
      unit: UNIT,
    });
    rows.push({
      scenario: `linear scan with matches(), ${label} patterns`,
      ours: measure(scanCase(matches, patterns, names, expected), timing),
      unit: UNIT,
    });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runTrieBench();
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else
    for (const r of rows)
      console.log(`${r.scenario.padEnd(44)} ${r.ours.toExponential(3)} ${r.unit}`);
}
