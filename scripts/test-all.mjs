// The whole suite, as the README's test command runs it: build, type-check, lint, the tests on
// the sources, the kernel/auto tests again on the built dist/, and one summary line for CI.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const steps = [
  ['build', 'npm run build'],
  ['typecheck', 'npm run typecheck'],
  ['lint', 'npm run lint'],
  ['tests (src)', 'npm run test:unit'],
  ['tests (dist)', 'npm run test:dist'],
];
rmSync('.tmp/vitest-src.json', { force: true });
rmSync('.tmp/vitest-dist.json', { force: true });

const failedSteps = [];
for (const [label, command] of steps) {
  console.log(`\n=== ${label}: ${command}`);
  const run = spawnSync(command, { stdio: 'inherit', shell: true });
  if (run.status !== 0) failedSteps.push(label);
  if (run.status !== 0 && (label === 'build' || label === 'typecheck')) break;
}

let passed = 0;
let failed = 0;
for (const file of ['.tmp/vitest-src.json', '.tmp/vitest-dist.json']) {
  try {
    const result = JSON.parse(readFileSync(file, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
  } catch {
    // the step did not run or vitest crashed: counted through failedSteps below
  }
}
if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(
  `${passed} passed, ${failed + (failed === 0 && failedSteps.length > 0 ? 1 : 0)} failed`,
);
process.exit(failedSteps.length === 0 ? 0 : 1);
