// keepYoungGenerationSmall in a real Node process: V8's young generation grows while objects
// survive, and stays at the size it had once the hub's process asked it to.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FIXTURE = new URL('./fixtures/young-generation.mjs', import.meta.url).pathname;

interface Sizes {
  before: number;
  after: number;
  kept: number;
}

async function sizes(...args: string[]): Promise<Sizes> {
  const { stdout } = await run(process.execPath, [FIXTURE, ...args], { timeout: 30_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Sizes;
}

describe('keepYoungGenerationSmall', () => {
  it('keeps the young generation at the size it had while surviving objects pile up', async () => {
    const [grows, kept] = await Promise.all([sizes(), sizes('keep')]);
    expect(grows.kept).toBe(40_000);
    expect(grows.after).toBeGreaterThan(grows.before); // V8 grows it on its own
    // Never larger (V8 may still shrink it when allocation slows down, as under a loaded run).
    expect(kept.after).toBeLessThanOrEqual(kept.before);
  });
});
