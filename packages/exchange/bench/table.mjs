// Plain-text rendering of the results: the machine, one block per scenario, then the targets.

/** Three significant digits, without exponent notation. */
function sig3(x) {
  if (x >= 100) return Math.round(x).toLocaleString('en');
  return x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function formatRate(v, unit) {
  if (v >= 1e6) return `${sig3(v / 1e6)} M ${unit}`;
  if (v >= 1e4) return `${sig3(v / 1e3)} k ${unit}`;
  return `${sig3(v)} ${unit}`;
}

function formatValue(result, v) {
  if (result.kind === 'time') return `${sig3(v)} ${result.unit}`;
  if (result.kind === 'memory') {
    const total = (v * result.instances) / 2 ** 20;
    return `${sig3(v / 1024)} KiB/graph, ${sig3(total)} MiB for ${result.instances}`;
  }
  return formatRate(v, result.unit);
}

export function formatRatio(r) {
  if (r === null) return 'base';
  return `${r >= 100 ? Math.round(r) : r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

const spread = (row) => `±${((100 * (row.max - row.min)) / 2 / row.median).toFixed(1)}%`;

/** Left-align the first column, right-align the others. */
function align(lines) {
  const widths = [];
  for (const cells of lines)
    cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return lines.map((cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '),
  );
}

function scenarioBlock(result) {
  const lines = result.rows.map((row) => [
    `    ${row.label}`,
    formatValue(result, row.median),
    spread(row),
    formatRatio(row.ratio),
  ]);
  return [`(${result.id}) ${result.title} · ratio: ${result.ratioLabel}`, ...align(lines)];
}

function targetBlock(targets) {
  if (targets.length === 0) return [];
  const lines = targets.map((t) => [
    `  ${t.pass ? 'PASS' : 'MISS'}  (${t.scenario}) ${t.description}`,
    formatRatio(t.value),
    t.required,
  ]);
  const missed = targets.filter((t) => !t.pass).length;
  const summary = `${targets.length - missed} PASS, ${missed} MISS`;
  return ['', `targets: ${summary}`, ...align(lines)];
}

export function renderTable({ machine, method, results, targets }) {
  const out = [
    'exchange benchmarks',
    `machine: node ${machine.node} (V8 ${machine.v8}) · ${machine.cpu} · ${machine.cores} cores · ${machine.platform} · ${machine.memoryGiB} GiB RAM · load average ${machine.loadAverage} at start`,
    `method:  median of ${method.runs} runs × ${method.budgetMs} ms after ${method.warmupMs} ms warm-up, runs interleaved across systems; spread = (max − min) / 2 / median; every result checked`,
  ];
  for (const result of results) out.push('', ...scenarioBlock(result));
  const notes = new Set(results.flatMap((r) => r.rows.map((row) => row.note).filter(Boolean)));
  if (notes.size > 0) out.push('', ...notes);
  out.push(...targetBlock(targets));
  out.push('', `total time: ${method.totalSeconds.toFixed(1)} s`);
  return out.join('\n');
}
