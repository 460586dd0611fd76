// The hub benchmark: Exchange's hub (once built) against nats-server, socket.io and a raw ws
// relay, side by side, on loopback. `npm run bench` runs it after the other scenarios (select it
// with `--only=hub`, leave it out with `--skip=hub`); on its own:
//
//   node packages/exchange/bench/hub/run.mjs [--quick] [--only=s1,s3] [--systems=ws,nats]
//        [--runs=3] [--json[=FILE]] [--dist=path/to/dist]
//
// Prints one table per scenario on stdout (on stderr with --json, so stdout stays clean) and
// writes the results as JSON to FILE with --json. Exit code 1 if any measurement failed (a message
// missing, a wrong reply, a hub that did not start or a stuck scenario), 2 for a bad option.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { distUrl } from './dist.mjs';
import { installCleanup } from './processes.mjs';
import { pairsOursWithRelay, runOrder } from './order.mjs';
import { summarizeScenario } from './report.mjs';
import { COUNTS, measure, scenarios } from './scenarios.mjs';
import { SYSTEM_KEYS, loadSystem } from './systems/index.mjs';
import { renderHubTable } from './table.mjs';

const DEFAULT_JSON = fileURLToPath(new URL('../../../../.tmp/bench-hub.json', import.meta.url));

const USAGE = `usage: node bench/hub/run.mjs [options]
  --quick          scaled-down counts (${COUNTS.quick.messages.toLocaleString('en')} messages, ${COUNTS.quick.sequential.toLocaleString('en')} sequential requests, ${COUNTS.quick.idle} idle clients): under a minute
  --only=LIST      scenarios by group or id: s1, s2, s3, s4, s1-64, s1-1k, s3-seq, s3-inflight
  --systems=LIST   systems: ${SYSTEM_KEYS.join(', ')} (default: all; a listed one that cannot run fails)
  --runs=N         runs per measurement, interleaved, median reported, ratios per run
                   (default 3; --quick: 1)
  --json[=FILE]    also write the results as JSON to FILE (default ${path.relative(process.cwd(), DEFAULT_JSON)})
  --dist=PATH      the built library for ours, hub and clients (default: packages/exchange/dist,
                   or EXCHANGE_DIST), e.g. a build in a git worktree of another commit`;

class UsageError extends Error {}

const list = (value) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseArgs(argv) {
  const options = { quick: false, only: null, systems: null, runs: null, json: null, dist: null };
  for (const arg of argv) {
    const [flag, value] = arg.split(/=(.*)/s);
    if (flag === '--quick' && value === undefined) options.quick = true;
    else if (flag === '--only' && value) options.only = list(value);
    else if (flag === '--systems' && value) options.systems = list(value);
    else if (flag === '--runs' && Number.isInteger(Number(value)) && Number(value) >= 1)
      options.runs = Number(value);
    else if (flag === '--json') options.json = value || DEFAULT_JSON;
    else if (flag === '--dist' && value) options.dist = value;
    else throw new UsageError(arg === '--help' || arg === '-h' ? '' : `unknown option ${arg}`);
  }
  for (const key of options.systems ?? []) {
    if (!SYSTEM_KEYS.includes(key)) throw new UsageError(`unknown system ${key}`);
  }
  return options;
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism?.() ?? cpus.length,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** The systems to run, each with `skipped` set if it cannot run here. */
async function selectSystems(options, distUrl) {
  const systems = [];
  for (const key of SYSTEM_KEYS.filter((k) => options.systems?.includes(k) ?? true)) {
    const system = await loadSystem(key);
    const skipped = system.unavailable({ distUrl });
    systems.push(skipped ? { ...system, skipped } : system);
  }
  return systems;
}

const log = (line) => process.stderr.write(`${line}\n`);

function describe(result) {
  if (!result.ok) return `FAIL: ${result.error}`;
  return Object.entries(result.metrics)
    .map(([key, v]) => `${key} ${v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(2)}`)
    .join(', ');
}

async function runAll(selected, systems, runs) {
  const report = [];
  for (const scenario of selected) {
    const runsBySystem = new Map(systems.map((s) => [s.key, []]));
    const runnable = systems.filter((s) => !s.skipped);
    for (let run = 0; run < runs; run++) {
      for (const system of runOrder(runnable, run)) {
        const t0 = performance.now();
        const result = await measure(system, scenario);
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        log(`hub ${scenario.id} · ${system.key}: ${describe(result)} (${seconds} s)`);
        runsBySystem.get(system.key).push(result);
      }
    }
    report.push(summarizeScenario(scenario, systems, runsBySystem));
  }
  return report;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  installCleanup();
  const started = performance.now();
  const machine = machineInfo();
  // Hubs and clients are child processes: they inherit the build to load through the environment.
  if (options.dist) process.env.EXCHANGE_DIST = path.resolve(options.dist);
  const dist = distUrl();
  const mode = options.quick ? 'quick' : 'full';
  const all = scenarios(COUNTS[mode]);
  const selected = options.only
    ? all.filter((s) => options.only.includes(s.group) || options.only.includes(s.id))
    : all;
  if (selected.length === 0) throw new UsageError(`--only matched no hub scenario`);
  const systems = await selectSystems(options, dist);

  // This VM runs at one of two speeds for seconds at a time: one run per system let a slow
  // stretch decide a ratio (bench/README.md, "Runs"). A full run takes the median of three.
  options.runs ??= options.quick ? 1 : 3;
  const results = await runAll(selected, systems, options.runs);
  // A system asked for by name that cannot run is a failure; in the default set it is a note.
  const unrunnable = options.systems ? systems.filter((s) => s.skipped) : [];
  const failures =
    unrunnable.length +
    results.reduce((n, s) => n + s.rows.filter((r) => !r.ok && !r.skipped).length, 0);
  const report = {
    machine,
    method: {
      mode,
      counts: COUNTS[mode],
      runs: options.runs,
      paired: pairsOursWithRelay(systems.filter((s) => !s.skipped)),
      dist: path.relative(process.cwd(), fileURLToPath(dist)) || '.',
      totalSeconds: (performance.now() - started) / 1000,
    },
    systems: systems.map(({ key, label, skipped }) => ({
      key,
      label,
      ...(skipped ? { skipped } : {}),
    })),
    scenarios: results,
    notes: systems
      .filter((s) => !s.skipped)
      .flatMap((s) => selected.filter((sc) => s.notes?.[sc.group]).map((sc) => s.notes[sc.group]))
      .filter((note, i, all) => all.indexOf(note) === i),
    failures,
  };
  for (const s of unrunnable) log(`hub: ${s.key} was asked for but cannot run: ${s.skipped}`);

  const table = `${renderHubTable(report)}\n`;
  if (options.json) {
    mkdirSync(path.dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(table);
    log(`hub results written to ${options.json}`);
  } else process.stdout.write(table);
  process.exitCode = failures > 0 ? 1 : 0;
}

main().catch((error) => {
  if (error instanceof UsageError) {
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`hub bench failed: ${error.stack}\n`);
    process.exitCode = 1;
  }
});
