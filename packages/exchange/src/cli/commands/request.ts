import type { Command } from 'commander';
import { validateName } from '../../index.js';
import {
  action,
  collectHeader,
  connectClient,
  positiveInt,
  readJson,
  withClientOptions,
  type ClientFlags,
} from '../client.js';
import { formatTrace, toJson } from '../format.js';

interface RequestFlags extends ClientFlags {
  timeout: number;
  header?: Record<string, string>;
  to?: string;
  trace?: boolean;
}

const EXAMPLES = `
Examples:
  $ exchange request users.get '{"id":1}'
  $ exchange request db.query '"select 1"' --timeout 500 --trace
  $ exchange request '$exchange.info' --to hub

The reply's value goes to stdout as JSON; errors go to stderr as CODE: message, with the exit
code of their kind (3 no route, 4 timeout, 5 the handler failed, 6 cannot connect).`;

/** `exchange request <name> [json]`: ask, and print the reply. */
export function addRequest(cli: Command): void {
  withClientOptions(
    cli
      .command('request')
      .description('send a request and print the reply as JSON')
      .argument('<name>', 'the message name, e.g. users.get')
      .argument('[json]', "the value as JSON ('-' reads it from stdin; none: no value)")
      .option('-t, --timeout <ms>', 'how long to wait for the reply', positiveInt, 5000)
      .option('-H, --header <key=value>', 'a header (repeatable)', collectHeader)
      .option('--to <id>', 'ask this exchange only')
      .option('--trace', "also print the reply's path and hop times (to stderr)"),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('request', request));
}

async function request(name: string, json: string | undefined, flags: RequestFlags): Promise<void> {
  validateName(name);
  const value = await readJson(json);
  const client = await connectClient(flags);
  try {
    const reply = await client.ex.requestMessage(name, value, {
      timeout: flags.timeout,
      ...(flags.header ? { headers: flags.header } : {}),
      ...(flags.to !== undefined ? { to: flags.to } : {}),
    });
    process.stdout.write(toJson(reply.value) + '\n');
    if (flags.trace) {
      const ms = Date.now() - reply.trace[0].at;
      process.stderr.write(`trace: ${formatTrace(reply.trace, true)}  (${ms} ms)\n`);
    }
  } finally {
    client.close();
  }
}
