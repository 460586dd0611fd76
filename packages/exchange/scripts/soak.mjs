#!/usr/bin/env node
// The reliability soak (docs/reliability.md): real processes on 127.0.0.1, each scenario at its
// full size, one table of figures against their targets. `npm run soak` builds first.
//
//   node packages/exchange/scripts/soak.mjs [--only=reconnect,idle] [--size=ci|soak] [--json=FILE]
//
// --size=ci runs the scaled-down counts that test/reliability runs in CI: the same code.
// Exit code: 0 if every figure with a target met it, 1 if one did not, 2 on a crashed scenario
// or a bad option.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { killAll, requireBuild } from './soak/lib.mjs';

const SCENARIOS = ['reconnect', 'idle', 'churn', 'ipc', 'requests'];

function options(argv) {
  const o = { only: SCENARIOS, size: 'soak', json: undefined };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'only') o.only = value.split(',');
    else if (key === 'size') o.size = value;
    else if (key === 'json') o.json = value;
    else throw new Error(`unknown option ${arg}`);
  }
  for (const name of o.only)
    if (!SCENARIOS.includes(name)) throw new Error(`no scenario ${name} (${SCENARIOS.join(', ')})`);
  if (o.size !== 'ci' && o.size !== 'soak') throw new Error('--size is ci or soak');
  return o;
}

function format(value) {
  if (typeof value === 'number')
    return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
  return String(value);
}

function table(results) {
  const rows = [];
  for (const r of results) {
    rows.push([`(${r.name}) ${r.title}`]);
    if (r.error) rows.push(['  CRASHED', r.error]);
    for (const f of r.figures ?? [])
      rows.push([
        `  ${f.name}`,
        `${format(f.value)}${f.unit ? ` ${f.unit}` : ''}`,
        f.target ? `target ${f.target}` : '',
        f.ok === null ? '' : f.ok ? 'ok' : 'MISSED',
      ]);
  }
  const widths = [0, 0, 0];
  for (const row of rows)
    if (row.length > 1)
      row.slice(0, 3).forEach((c, i) => (widths[i] = Math.max(widths[i], c.length)));
  return rows
    .map((row) =>
      row.length === 1
        ? `\n${row[0]}`
        : row
            .map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c))
            .join('  ')
            .trimEnd(),
    )
    .join('\n');
}

async function main() {
  let o;
  try {
    o = options(process.argv.slice(2));
    requireBuild();
  } catch (e) {
    process.stderr.write(`soak: ${e.message}\n`);
    return 2;
  }
  const load = os.loadavg()[0].toFixed(2);
  const header =
    `reliability soak (--size=${o.size})\n` +
    `machine: node ${process.version} · ${os.cpus()[0]?.model.trim()} · ${os.cpus().length} cores · ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · load average ${load} at start`;
  console.log(header);
  const results = [];
  const t0 = Date.now();
  for (const name of o.only) {
    const scenario = await import(`./soak/${name}.mjs`);
    const started = Date.now();
    console.log(`\n== ${name}: ${scenario.title}`);
    const log = (line) => console.log(line);
    try {
      const r = await scenario.run(scenario.sizes[o.size], log);
      results.push({ name, title: scenario.title, seconds: (Date.now() - started) / 1000, ...r });
    } catch (e) {
      console.log(`  crashed: ${e.stack ?? e}`);
      results.push({ name, title: scenario.title, error: String(e.message ?? e), figures: [] });
    }
    killAll();
  }
  console.log(`\n${header}\n${table(results)}`);
  const missed = results.flatMap((r) => (r.figures ?? []).filter((f) => f.ok === false));
  const crashed = results.filter((r) => r.error);
  console.log(
    `\n${missed.length} figure(s) missed their target, ${crashed.length} scenario(s) crashed · ` +
      `total ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (o.json) writeFileSync(o.json, JSON.stringify({ size: o.size, load, results }, null, 1));
  return crashed.length > 0 ? 2 : missed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
