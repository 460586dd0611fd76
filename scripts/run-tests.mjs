// Runs vitest with its JSON reporter next to the default one (so the counts can be summed by
// scripts/test-all.mjs). Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

mkdirSync('.tmp', { recursive: true });
const report = `.tmp/vitest-${process.env.EXCHANGE_TEST_DIST === '1' ? 'dist' : 'src'}.json`;
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
];
const run = spawnSync('npx', [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
