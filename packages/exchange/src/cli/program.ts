/**
 * The `exchange` command line. Each subcommand lives in commands/<name>.ts and adds itself to
 * the program; exit codes are in exit.ts and docs/cli.md.
 */
import { Command } from 'commander';
import { addBench } from './commands/bench.js';
import { addHandle } from './commands/handle.js';
import { addLog } from './commands/log.js';
import { addObserve } from './commands/observe.js';
import { addPeers } from './commands/peers.js';
import { addRequest } from './commands/request.js';
import { addRoutes } from './commands/routes.js';
import { addSend } from './commands/send.js';
import { addServe } from './commands/serve.js';

export function program(): Command {
  const cli = new Command('exchange')
    .description('Exchange: every component is an exchange of named messages.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  addServe(cli);
  addSend(cli);
  addRequest(cli);
  addObserve(cli);
  addHandle(cli);
  addPeers(cli);
  addRoutes(cli);
  addLog(cli);
  addBench(cli);
  return cli;
}
