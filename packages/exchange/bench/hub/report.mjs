// From measurements to the report: medians over runs, failures, and ratios to the references.
import { REFERENCE_KEYS } from './systems/index.mjs';

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * How much better `value` is than `other` on a metric: for a speed (rate or latency) > 1 means
 * faster; for memory, where the interesting question is "how much more", > 1 means more memory.
 */
export function ratio(metric, value, other) {
  if (!(value > 0) || !(other > 0)) return null;
  const memory = metric.unit.startsWith('KiB');
  return metric.better === 'lower' && !memory ? other / value : value / other;
}

/** One system's row in a scenario: skipped, failed (first failure), or medians over the runs. */
function summarizeRow(scenario, system, runs) {
  const base = { system: system.key, label: system.label };
  if (system.skipped) return { ...base, ok: false, skipped: system.skipped };
  const failed = runs.find((r) => !r.ok);
  if (failed) return { ...base, ok: false, error: failed.error, check: failed.check, runs };
  const metrics = {};
  const spread = {};
  for (const key of Object.keys(runs[0].metrics)) {
    const values = runs.map((r) => r.metrics[key]);
    metrics[key] = median(values);
    spread[key] = (Math.max(...values) - Math.min(...values)) / 2 / metrics[key];
  }
  return { ...base, ok: true, metrics, spread, check: runs.at(-1).check, runs };
}

/**
 * The ratio of `row` to `ref` on `metric`: the median of the per-run ratios (run i of one against
 * run i of the other, in the same round of the systems), as this VM changes speed between runs.
 * Of an even count, the geometric mean of the middle two, so that the ratio one way is the
 * inverse of the ratio the other way. The ratio of the medians where the runs do not pair up or
 * a run gives no ratio (a figure of 0).
 */
function pairedRatio(metric, row, ref) {
  const mine = row.runs.map((r) => r.metrics[metric.key]);
  const theirs = ref.runs.map((r) => r.metrics[metric.key]);
  const ratios = mine.map((v, i) => ratio(metric, v, theirs[i]));
  if (mine.length !== theirs.length || mine.length === 0 || ratios.includes(null))
    return ratio(metric, row.metrics[metric.key], ref.metrics[metric.key]);
  ratios.sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  return ratios.length % 2 ? ratios[mid] : Math.sqrt(ratios[mid - 1] * ratios[mid]);
}

/** A scenario's rows, each with ratios of its first metric to every reference that succeeded. */
export function summarizeScenario(scenario, systems, runsBySystem) {
  const rows = systems.map((s) => summarizeRow(scenario, s, runsBySystem.get(s.key) ?? []));
  const metric = scenario.metrics[0];
  for (const row of rows) {
    if (!row.ok) continue;
    row.ratios = {};
    for (const key of REFERENCE_KEYS.filter((k) => k !== row.system)) {
      const ref = rows.find((r) => r.system === key && r.ok);
      if (ref) row.ratios[key] = pairedRatio(metric, row, ref);
    }
  }
  const { id, group, title, kind, count, size, observers, concurrency, metrics } = scenario;
  return { id, group, title, kind, count, size, observers, concurrency, metrics, rows };
}
