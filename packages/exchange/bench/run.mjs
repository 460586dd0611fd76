// The bench runner: `npm run bench` (which builds first), or after `npm run build`:
//
//   node --expose-gc packages/exchange/bench/run.mjs [--only=a,kernel] [--json]
//        [--runs=5] [--budget=400] [--warmup=300] [--dist=path/to/dist]
//
// It runs each scenario in a fresh process (worker.mjs), with ours (the built library) and the
// reference packages side by side in it, then prints one table with ratios and targets, or JSON.
// A wrong result aborts the bench with exit code 1.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { evaluateTargets } from './results.mjs';
import { renderTable } from './table.mjs';

/** The scenario modules, in the order they run and print. */
const SCENARIO_FILES = [
  'single.mjs',
  'fanout.mjs',
  'chain.mjs',
  'boot.mjs',
  'memory.mjs',
  'kernel-dispatch.mjs',
  'exchange.mjs',
  'exchange-request.mjs',
  'trie-lookup.mjs',
  'codec.mjs',
];

const USAGE = `usage: node --expose-gc bench/run.mjs [options]
  --only=LIST    scenarios to run, by id or name, comma-separated:
                 a single, b fanout, c chain, d boot, e memory, k kernel,
                 x exchange, r request, t trie
  --json         print the results as JSON instead of the table
  --runs=N       timed runs per measurement, median taken (default 5)
  --budget=MS    time per run (default 400)
  --warmup=MS    warm-up per system before the runs (default 300)
  --dist=PATH    the built library to measure (default: ../dist next to this folder)
  --skip=LIST    scenarios to leave out, by id or name (e.g. --skip=hub)
hub scenarios (hub/run.mjs, after the others; --only=hub runs only them, --skip=hub none):
  --quick        scaled-down hub counts, under a minute (smoke runs)
  --hub-OPT=V    passed on as --OPT=V, e.g. --hub-systems=ws,nats --hub-only=s1,s3 --hub-runs=3
                 (with --json the hub table goes to stderr and its JSON to .tmp/bench-hub.json)`;

function parseArgs(argv) {
  const options = {
    only: null,
    skip: [],
    json: false,
    runs: 5,
    budgetMs: 400,
    warmupMs: 300,
    dist: null,
    hubArgs: [],
  };
  for (const arg of argv) {
    const [flag, value] = arg.split(/=(.*)/s);
    if (flag === '--json') options.json = true;
    else if (flag === '--only' && value) options.only = value.split(',').map((s) => s.trim());
    else if (flag === '--runs' && Number(value) >= 1) options.runs = Number(value);
    else if (flag === '--budget' && Number(value) > 0) options.budgetMs = Number(value);
    else if (flag === '--warmup' && Number(value) >= 0) options.warmupMs = Number(value);
    else if (flag === '--dist' && value) options.dist = value;
    else if (flag === '--skip' && value) options.skip = value.split(',').map((s) => s.trim());
    else if (flag === '--quick' || flag.startsWith('--hub-'))
      options.hubArgs.push(arg.replace(/^--hub-/, '--'));
    else throw new UsageError(arg === '--help' || arg === '-h' ? '' : `unknown option ${arg}`);
  }
  return options;
}

class UsageError extends Error {}

function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism?.() ?? cpus.length,
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100, // at the start; high means noisy figures
  };
}

const selected = (scenario, { only, skip }) =>
  !skip.includes(scenario.id) &&
  !skip.includes(scenario.name) &&
  (only === null || only.includes(scenario.id) || only.includes(scenario.name));

/** The hub scenarios (hub/run.mjs): one more entry for --only and --skip. */
const HUB = { id: 'hub', name: 'hub' };

/** Run the hub scenarios in their own process; their table follows this one. */
function runHub(options) {
  const script = fileURLToPath(new URL('hub/run.mjs', import.meta.url));
  const args = [...options.hubArgs, ...(options.json ? ['--json'] : [])];
  if (options.dist) args.push(`--dist=${options.dist}`);
  const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(code === 2 ? new UsageError('') : new WorkerError(`hub scenarios exited ${code}`)),
    );
  });
}

/** A worker failed; it has already said why on stderr. */
class WorkerError extends Error {}

/** Run one scenario in a fresh process (see worker.mjs) and return its result. */
function runInWorker(file, options, distUrl) {
  const config = JSON.stringify({ ...options, file, distUrl: distUrl.href });
  const worker = new URL('worker.mjs', import.meta.url);
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(worker), config], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new WorkerError(`${file} exited ${code}`)),
    );
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const distUrl = options.dist
    ? pathToFileURL(`${options.dist.replace(/\/?$/, '/')}`)
    : new URL('../dist/', import.meta.url);
  const machine = machineInfo(); // before the bench loads the machine itself

  const results = [];
  for (const file of SCENARIO_FILES) {
    const { scenario } = await import(new URL(file, import.meta.url).href);
    if (!selected(scenario, options)) continue;
    process.stderr.write(`running (${scenario.id}) ${scenario.name}…\n`);
    results.push(await runInWorker(file, options, distUrl));
  }
  if (results.length === 0) {
    if (!selected(HUB, options)) throw new UsageError(`--only matched no scenario`);
    return runHub(options);
  }

  const report = {
    machine,
    method: {
      runs: options.runs,
      budgetMs: options.budgetMs,
      warmupMs: options.warmupMs,
      totalSeconds: (performance.now() - started) / 1000,
    },
    results,
    targets: evaluateTargets(results),
  };
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTable(report)}\n`,
  );
  if (selected(HUB, options)) await runHub(options);
}

main().catch((error) => {
  if (error instanceof UsageError) {
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
  } else {
    if (!(error instanceof WorkerError)) process.stderr.write(`bench failed: ${error.stack}\n`);
    process.exitCode = 1;
  }
});
