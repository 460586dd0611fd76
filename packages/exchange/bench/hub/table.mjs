// The hub scenarios as text: one block per scenario, each system's figures and its ratio to the
// raw ws relay, to nats and to socket.io.
import { REFERENCE_KEYS } from './systems/index.mjs';

const REFERENCE_LABELS = { ws: 'vs raw ws', nats: 'vs nats', socketio: 'vs socket.io' };

function sig3(x) {
  if (x >= 100) return Math.round(x).toLocaleString('en');
  return x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** A figure without its unit (the column header has it): 352 k, 1.21 M, 207, 24.1. */
function formatMetric(v) {
  if (v >= 1e6) return `${sig3(v / 1e6)} M`;
  return v >= 1e4 ? `${sig3(v / 1e3)} k` : sig3(v);
}

const formatRatio = (r) =>
  r === null || r === undefined ? '' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;

const count = (n) => n.toLocaleString('en');

function checkCell(scenario, row) {
  const c = row.check;
  if (scenario.kind === 'stream') {
    const order = c.outOfOrder ? `, ${count(c.outOfOrder)} out of order` : '';
    return `all ${count(c.delivered)} arrived${order}`;
  }
  if (scenario.kind === 'request') return `${count(c.completed)} replies checked`;
  return `${count(c.connected)} connected`;
}

function rowCells(scenario, row, runs) {
  const label = `    ${row.label}`;
  if (row.skipped) return [label, `skipped: ${row.skipped}`];
  if (!row.ok) return [label, `FAIL: ${row.error}`];
  const [first, ...more] = scenario.metrics.map((m) => formatMetric(row.metrics[m.key]));
  const spread = runs > 1 ? [`±${(100 * row.spread[scenario.metrics[0].key]).toFixed(0)}%`] : [];
  const ratios = REFERENCE_KEYS.map((key) =>
    key === row.system ? '—' : formatRatio(row.ratios[key]),
  );
  return [label, first, ...spread, ...more, checkCell(scenario, row), ...ratios];
}

/** Left-align the first column, right-align the others; a one-cell message row spans them all. */
function align(lines) {
  const widths = [];
  for (const cells of lines.filter((l) => l.length > 2)) {
    cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  }
  return lines.map((cells) =>
    cells.length <= 2
      ? cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c)).join('   ')
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '),
  );
}

function ratioNote(scenario) {
  const metric = scenario.metrics[0];
  if (metric.unit.startsWith('KiB'))
    return `ratio: ${metric.unit}, this ÷ that (>1× = more memory)`;
  if (metric.better === 'lower') return `ratio: ${metric.key}, that ÷ this (>1× = faster)`;
  return 'ratio: this ÷ that (>1× = faster)';
}

function heading(scenario) {
  const what =
    scenario.kind === 'stream'
      ? `${count(scenario.count)} messages`
      : scenario.kind === 'request'
        ? `${count(scenario.count)} requests`
        : 'RSS before and after';
  return `(${scenario.id}) ${scenario.title} · ${what} · ${ratioNote(scenario)}`;
}

function scenarioBlock(scenario, runs) {
  const [first, ...more] = scenario.metrics.map((m) => m.label ?? m.unit);
  const header = [
    '    system',
    first,
    ...(runs > 1 ? ['spread'] : []),
    ...more,
    'checked',
    ...REFERENCE_KEYS.map((k) => REFERENCE_LABELS[k]),
  ];
  const lines = [header, ...scenario.rows.map((row) => rowCells(scenario, row, runs))];
  return [heading(scenario), ...align(lines)];
}

export function renderHubTable(report) {
  const { machine, method } = report;
  const out = [
    'hub benchmarks',
    `machine: node ${machine.node} · ${machine.cpu} · ${machine.cores} cores · ${machine.platform} · load average ${machine.loadAverage} at start`,
    `method:  ${method.mode} counts, ${method.runs === 1 ? 'one run' : `median of ${method.runs} runs`} per system, runs interleaved across systems${method.paired ? ' (ours and the raw ws relay back to back)' : ''}${method.runs === 1 ? '' : ', ratios the median of the per-run ratios'}; 127.0.0.1 only; each hub and each client role (publisher, observers, requester, responder, idle clients) in its own process; a fresh hub per measurement; every message, reply and connection checked`,
    ...(method.dist ? [`ours:    the build in ${method.dist}`] : []),
  ];
  for (const scenario of report.scenarios) out.push('', ...scenarioBlock(scenario, method.runs));
  if (report.notes.length > 0) out.push('', ...report.notes);
  const failed = report.failures;
  out.push(
    '',
    `${failed === 0 ? 'no failures' : `${failed} FAILED`} · total time ${method.totalSeconds.toFixed(1)} s`,
  );
  return out.join('\n');
}
