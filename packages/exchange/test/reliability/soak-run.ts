// Runs one scenario of the reliability soak (scripts/soak.mjs) at its CI size, in a process of
// its own, and hands its figures to the test: the CI tests run the soak's own code with smaller
// counts. The soak needs the built package (npm test builds first; alone: npm run build).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOAK = fileURLToPath(new URL('../../scripts/soak.mjs', import.meta.url));

export interface Figure {
  name: string;
  value: number | string;
  unit: string;
  target: string;
  ok: boolean | null;
}

export interface ScenarioResult {
  name: string;
  error?: string;
  figures: Figure[];
  [key: string]: unknown;
}

/**
 * On a loaded CI machine (2 cores shared by the whole suite) timings are held to this multiple
 * of their targets; `npm run soak` holds them to the targets themselves.
 */
export const CI_SLACK = 5;

/** Run `scenario` with `--size=ci`; the run is killed after `limitMs`. */
export async function runScenario(scenario: string, limitMs: number): Promise<ScenarioResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `soak-${scenario}-`));
  const json = path.join(dir, 'result.json');
  const child = spawn(
    process.execPath,
    [SOAK, `--only=${scenario}`, '--size=ci', `--json=${json}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const timer = setTimeout(() => child.kill('SIGTERM'), limitMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  // The soak's log: the figures and what each case measured, in the test output.
  console.log(output);
  try {
    const report = JSON.parse(readFileSync(json, 'utf8')) as { results: ScenarioResult[] };
    const result = report.results[0];
    if (result.error) throw new Error(`scenario ${scenario} crashed: ${result.error}`);
    return result;
  } catch (e) {
    throw new Error(`soak ${scenario} gave no result (exit ${code}): ${String(e)}\n${output}`, {
      cause: e,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figure whose name starts with `prefix`. */
export function fig(result: ScenarioResult, prefix: string): Figure {
  const f = result.figures.find((x) => x.name.startsWith(prefix));
  if (!f)
    throw new Error(`no figure "${prefix}" in ${result.figures.map((x) => x.name).join(', ')}`);
  return f;
}
