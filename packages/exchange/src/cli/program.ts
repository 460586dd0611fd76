/**
 * The `exchange` command line. Each subcommand lives in commands/<name>.ts and adds itself to
 * the program; exit codes are in exit.ts and docs/cli.md.
 */
import { Command } from 'commander';
import { addServe } from './commands/serve.js';

export function program(): Command {
  const cli = new Command('exchange')
    .description('Exchange: every component is an exchange of named messages.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  addServe(cli);
  return cli;
}
