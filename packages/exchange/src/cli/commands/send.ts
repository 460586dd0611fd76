import type { Command } from 'commander';
import { NoRouteError, validateName } from '../../index.js';
import {
  action,
  collectHeader,
  connectClient,
  readJson,
  withClientOptions,
  type ClientFlags,
} from '../client.js';

interface SendFlags extends ClientFlags {
  header?: Record<string, string>;
  to?: string;
  strict?: boolean;
}

const EXAMPLES = `
Examples:
  $ exchange send orders.created '{"id":42,"total":9.5}'
  $ exchange send audit.login '"ada"' --header source=cron
  $ echo '[1,2,3]' | exchange send numbers.batch -`;

/** `exchange send <name> [json]`: emit one message, to one handler and every observer. */
export function addSend(cli: Command): void {
  withClientOptions(
    cli
      .command('send')
      .description('emit one message: to one handler and to every observer')
      .argument('<name>', 'the message name, e.g. orders.created')
      .argument('[json]', "the value as JSON ('-' reads it from stdin; none: no value)")
      .option('-H, --header <key=value>', 'a header (repeatable)', collectHeader)
      .option('--to <id>', 'deliver to this exchange only')
      .option('--strict', 'exit 3 if nobody handles or observes the name'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('send', send));
}

async function send(name: string, json: string | undefined, flags: SendFlags): Promise<void> {
  validateName(name);
  const value = await readJson(json);
  const client = await connectClient(flags);
  try {
    const before = client.ex.counters.unhandled;
    client.ex.send(name, value, {
      ...(flags.header ? { headers: flags.header } : {}),
      ...(flags.to !== undefined ? { to: flags.to } : {}),
    });
    const routed = client.ex.counters.unhandled === before;
    // The link drops what it has not written when it closes: wait until the hub has it.
    await client.settle();
    if (routed) return;
    const why = `nobody handles or observes '${name}': the message went nowhere`;
    if (flags.strict) throw new NoRouteError(name, { message: why });
    process.stderr.write(`exchange send: warning: ${why}\n`);
  } finally {
    client.close();
  }
}
