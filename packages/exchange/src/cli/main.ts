#!/usr/bin/env node
// The `exchange` executable: parse, run, and map failures to the documented exit codes.
import { CommanderError } from 'commander';
import { EXIT, exitCodeOf } from './exit.js';
import { program } from './program.js';

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.stderr.write(`exchange: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = exitCodeOf(e);
  }
}

await main(process.argv);
