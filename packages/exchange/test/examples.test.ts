/**
 * Every `examples/*.mjs` runs as a real `node` child process against the built package: it must
 * exit 0 (each example checks its own results and exits non-zero when they are wrong) and print
 * the lines listed for it below. A new example is picked up without editing this file; add an
 * entry to `EXPECTED` to pin what it prints.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = `${ROOT}examples/`;
const DIST_ENTRY = `${ROOT}packages/exchange/dist/index.js`;
/** How long one example may run before it is killed and fails. */
const TIME_BOUND_MS = 20_000;

/** Output each example must contain, by file name. */
const EXPECTED: Record<string, string[]> = {
  'auto-counter.mjs': [
    'count after a write (reading flushes): 2',
    'total is now 9.9',
    'dependencies ($._.deps):',
  ],
  'request-reply.mjs': [
    'alice asked text.upper, bob replied "HELLO BOB"',
    'bob asked math.double, alice replied 42',
    'alice.trace(reply.id): rep text.upper ← caused by req text.upper',
    'ok',
  ],
  'browser-server-database.mjs': [
    'browser asked users.list → ["ada","linus"]',
    'trace: browser → server → database → server → browser',
    'billing.charge → NoRouteError NO_ROUTE',
    '$exchange.info from database: peers server, handles db.query',
    'ok',
  ],
  'reactive-why.mjs': [
    'dashboard imported raw = 200',
    'processedData is now {"celsius":21.5}',
    'trace: sensor → processor → dashboard',
    'chain: $exchange.state.value.processor.raw (processor) ← sensor.reading (sensor)',
    'why: processedData ← raw ← sensor.reading 215 sent by sensor',
    'ok',
  ],
};

const examples = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.mjs'))
  .sort();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `node examples/<file>` from the repository root, killed after `TIME_BOUND_MS`. */
function run(file: string): Promise<Run> {
  return new Promise((resolve) => {
    const options = { cwd: ROOT, timeout: TIME_BOUND_MS, killSignal: 'SIGKILL' as const };
    execFile(process.execPath, [`examples/${file}`], options, (error, stdout, stderr) => {
      // execFile reports a non-zero exit or a kill as an error carrying `code` and `signal`.
      const failure = error as { code?: unknown; signal?: NodeJS.Signals | null } | null;
      const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
      resolve({ code, signal: failure?.signal ?? null, stdout, stderr });
    });
  });
}

function requireDist(): void {
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(
      'packages/exchange/dist/index.js is missing: the examples import the built package, so ' +
        'run `npm run build` first (`npm test` does).',
    );
  }
}

describe('examples', () => {
  it('the folder has examples, and every EXPECTED entry names one of them', () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(Object.keys(EXPECTED).filter((file) => !examples.includes(file))).toEqual([]);
  });

  it.each(examples)(
    '%s exits 0 and prints what it should',
    async (file) => {
      requireDist();
      const result = await run(file);
      const report = `node examples/${file} (exit ${result.code}, signal ${result.signal})\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
      expect(result.signal, `killed after ${TIME_BOUND_MS} ms: ${report}`).toBeNull();
      expect(result.code, report).toBe(0);
      for (const line of EXPECTED[file] ?? []) expect(result.stdout, report).toContain(line);
    },
    TIME_BOUND_MS + 5_000,
  );
});
