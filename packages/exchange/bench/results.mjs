// From raw samples to results: medians, spreads, ratios against the scenario's base row, and the
// targets with PASS/MISS.
import { median } from './harness.mjs';

/**
 * Ours over the competitor, so that > 1 is always "ours is faster" (speed) or "ours uses more"
 * (heap). The base row is ours in scenarios a–e and the competitor (EventEmitter) in k.
 */
function ratio(kind, baseIsOurs, row, base) {
  const [ours, theirs] = baseIsOurs ? [base, row] : [row, base];
  return kind === 'time' ? theirs / ours : ours / theirs;
}

function ratioLabel(scenario, baseLabel) {
  const what = scenario.kind === 'memory' ? 'heap' : 'speed';
  return scenario.base ? `this ÷ ${baseLabel} (${what})` : `ours ÷ this (${what})`;
}

/** One scenario's result: a row per system with median, min, max and the ratio to the base. */
export function summarize(scenario, rows, samples) {
  const values = samples.map((s) => (scenario.kind === 'time' ? s.map((rate) => 1000 / rate) : s));
  const baseKey = scenario.base ?? 'ours';
  const baseIndex = rows.findIndex((r) => r.key === baseKey);
  const baseMedian = median(values[baseIndex]);
  return {
    id: scenario.id,
    name: scenario.name,
    title: scenario.title,
    unit: scenario.unit,
    kind: scenario.kind,
    ...(scenario.instances ? { instances: scenario.instances } : {}),
    ratioLabel: ratioLabel(scenario, rows[baseIndex].label),
    rows: rows.map((row, i) => ({
      key: row.key,
      label: row.label,
      ...(row.note ? { note: row.note } : {}),
      median: median(values[i]),
      min: Math.min(...values[i]),
      max: Math.max(...values[i]),
      ratio:
        i === baseIndex
          ? null
          : ratio(scenario.kind, !scenario.base, median(values[i]), baseMedian),
      samples: values[i],
    })),
  };
}

/**
 * The targets. `value` is median(row) ÷ median(vs) in the scenario's own unit: a speed ratio for
 * rates (higher is better), a time ratio for boot (lower is better). A target with `rate` instead
 * of `vs` is absolute: `value` is median(row) ÷ rate, so it prints as a ratio like the others.
 */
const TARGETS = [
  ...['a', 'b', 'c'].map((id) => ({ scenario: id, row: 'ours', vs: 'original', atLeast: 10 })),
  { scenario: 'a', row: 'ours', vs: 'preact', atLeast: 0.3 },
  { scenario: 'b', row: 'ours', vs: 'preact', atLeast: 0.5 },
  { scenario: 'c', row: 'ours', vs: 'preact', atLeast: 0.5 },
  { scenario: 'd', row: 'ours', vs: 'preact', atMost: 3 },
  ...['sig', 'channel', 'queued'].map((row) => ({
    scenario: 'k',
    row,
    vs: 'emitter',
    atLeast: 0.5,
  })),
  { scenario: 'x', row: 'hop1', rate: 1_000_000, atLeast: 1 },
  // Lookups at 10,000 patterns within 2x of 10: rate(10) ÷ rate(10,000) ≤ 2.
  { scenario: 't', row: 'trie10', vs: 'trie10000', atMost: 2 },
];

/** Every target whose scenario ran, with its measured ratio and PASS/MISS. */
export function evaluateTargets(results) {
  const evaluated = [];
  for (const t of TARGETS) {
    const result = results.find((r) => r.id === t.scenario);
    if (!result) continue;
    const row = result.rows.find((r) => r.key === t.row);
    const vs = t.vs === undefined ? null : result.rows.find((r) => r.key === t.vs);
    const value = row.median / (vs?.median ?? t.rate);
    const pass = t.atLeast !== undefined ? value >= t.atLeast : value <= t.atMost;
    const what = result.kind === 'time' ? `${result.unit}` : 'speed';
    const against = vs?.label ?? `${t.rate.toLocaleString('en')} ${result.unit}`;
    evaluated.push({
      scenario: t.scenario,
      description: `${row.label} ÷ ${against} (${what})`,
      value,
      required: t.atLeast !== undefined ? `≥ ${t.atLeast}×` : `≤ ${t.atMost}×`,
      pass,
    });
  }
  return evaluated;
}
