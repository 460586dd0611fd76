// Runs one scenario in a process of its own and prints its result as JSON on stdout. run.mjs
// starts one per scenario, so that no JIT or heap state carries over from one scenario to the next
// (a library's code, shared by every scenario, was measured up to 20x slower in one scenario after
// running the others). Within the process, all systems of the scenario run side by side.
//
//   node --expose-gc bench/worker.mjs '{"file":"single.mjs","runs":5,"budgetMs":400,"warmupMs":300,"distUrl":"file:///…/dist/"}'
import { Console } from 'node:console';

import { BenchError, isolatedCopy, measureRates } from './harness.mjs';
import { measureHeap } from './memory.mjs';
import { summarize } from './results.mjs';
import { loadSystems } from './systems.mjs';

/** Build each row's case from its own copy of the scenario module, then measure them together. */
async function runScenario(url, scenario, systems, options) {
  const rows = scenario.rows(systems);
  const cases = [];
  for (const row of rows) {
    const c = row.make(await isolatedCopy(url, row.key));
    cases.push({ ...c, label: `(${scenario.id}) ${row.label}` });
  }
  const samples =
    scenario.kind === 'memory'
      ? await measureHeap(cases, options)
      : await measureRates(cases, options);
  return summarize(scenario, rows, samples);
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  // Libraries log through the global console (auto-es6 reports slow computeds, for one): send it
  // to stderr, so that stdout holds only the result.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  const url = new URL(options.file, import.meta.url).href;
  const { scenario } = await import(url);
  const systems = await loadSystems(new URL(options.distUrl));
  const result = await runScenario(url, scenario, systems, options);
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  const wrong = error instanceof BenchError;
  const what = wrong ? 'wrong result, bench aborted' : 'bench failed';
  process.stderr.write(`${what}: ${wrong ? error.message : (error.stack ?? error)}\n`);
  process.exitCode = 1;
});
