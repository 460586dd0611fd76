// Keeps the hub benchmark's harness working (bench/hub/): its quick mode for the raw ws relay and
// nats-server on S1 and S3, in real processes on loopback, with every message and reply checked by
// the harness. No timing thresholds (CONTRIBUTING.md): the figures only have to be well-formed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('../../bench/hub/run.mjs', import.meta.url));
const RUN_LIMIT_MS = 90_000;

interface Row {
  system: string;
  ok: boolean;
  error?: string;
  skipped?: string;
  metrics: Record<string, number>;
  check: Record<string, number>;
  ratios: Record<string, number | null>;
}
interface Scenario {
  id: string;
  count: number;
  rows: Row[];
}
interface Report {
  method: { mode: string };
  systems: { key: string; skipped?: string }[];
  scenarios: Scenario[];
  failures: number;
}

/** nats-server is a reference system here: without it the test fails, it does not skip. */
function requireNatsServer(): void {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'nats-server is not installed, and the hub benchmark test runs it as a reference system: ' +
        'install it (Debian: apt-get install -y nats-server; .ci/run does) and run the test again',
    );
  }
}

/** Run the hub benchmark; a run past the limit is stopped (its cleanup kills its children). */
function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [RUNNER, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGTERM'), RUN_LIMIT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('hub benchmark, quick mode: raw ws relay and nats on S1 and S3', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-'));
  const json = path.join(dir, 'hub.json');
  let run: { code: number | null; stderr: string };
  let report: Report | undefined;
  let setupError: unknown;

  // A setup failure (nats-server missing, no JSON written) fails every test with its message,
  // rather than failing the hook and leaving the tests counted as skipped.
  beforeAll(async () => {
    try {
      requireNatsServer();
      run = await runBench(['--quick', '--systems=ws,nats', '--only=s1,s3', `--json=${json}`]);
      report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    } catch (error) {
      setupError = error;
    }
  }, RUN_LIMIT_MS + 10_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ran = (): Report => {
    if (report) return report;
    throw setupError instanceof Error ? setupError : new Error(String(setupError));
  };
  const scenario = (id: string): Scenario => {
    const found = ran().scenarios.find((s) => s.id === id);
    if (!found) throw new Error(`no scenario ${id} in the report`);
    return found;
  };
  const rows = (id: string): Row[] =>
    ['ws', 'nats'].map((key) => {
      const row = scenario(id).rows.find((r) => r.system === key);
      if (!row) throw new Error(`no ${key} row in ${id}`);
      return row;
    });

  it('runs every measurement without a failure', () => {
    const report = ran();
    expect(run.code, run.stderr).toBe(0);
    expect(report.method.mode).toBe('quick');
    expect(report.systems.map((s) => s.key)).toEqual(['nats', 'ws']);
    expect(report.scenarios.map((s) => s.id)).toEqual(['s1-64', 's1-1k', 's3-seq', 's3-inflight']);
    expect(report.failures).toBe(0);
  });

  it.each(['s1-64', 's1-1k'])('%s: every message arrived once, in order', (id) => {
    const { count } = scenario(id);
    for (const row of rows(id)) {
      expect(row.ok, row.error).toBe(true);
      expect(row.check).toMatchObject({
        expected: count,
        delivered: count,
        missing: 0,
        duplicates: 0,
        invalid: 0,
        outOfOrder: 0,
      });
      expect(row.metrics.rate).toBeGreaterThan(0);
      expect(Number.isFinite(row.metrics.rate)).toBe(true);
      expect(row.metrics.hubCpuMicros).toBeGreaterThanOrEqual(0);
    }
  });

  it('s3-seq: every reply checked, p50 ≤ p99', () => {
    const { count } = scenario('s3-seq');
    for (const row of rows('s3-seq')) {
      expect(row.ok, row.error).toBe(true);
      expect(row.check).toEqual({ expected: count, completed: count, mismatches: 0 });
      expect(row.metrics.p50).toBeGreaterThan(0);
      expect(row.metrics.p99).toBeGreaterThanOrEqual(row.metrics.p50);
    }
  });

  it('s3-inflight: every reply checked, a rate', () => {
    const { count } = scenario('s3-inflight');
    for (const row of rows('s3-inflight')) {
      expect(row.ok, row.error).toBe(true);
      expect(row.check).toEqual({ expected: count, completed: count, mismatches: 0 });
      expect(row.metrics.rate).toBeGreaterThan(0);
    }
  });

  it('gives each system its ratio to the other', () => {
    for (const id of ['s1-64', 's1-1k', 's3-seq', 's3-inflight']) {
      const [ws, nats] = rows(id);
      expect(ws.ratios.nats).toBeGreaterThan(0);
      expect(nats.ratios.ws).toBeGreaterThan(0);
      expect(ws.ratios.nats! * nats.ratios.ws!).toBeCloseTo(1, 6);
      expect(ws.ratios).not.toHaveProperty('ws');
    }
  });
});
