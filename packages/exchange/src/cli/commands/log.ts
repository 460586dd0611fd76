import type { Command } from 'commander';
import { validatePattern, type Envelope } from '../../index.js';
import {
  action,
  connectClient,
  parseDuration,
  positiveInt,
  withClientOptions,
  type ClientFlags,
} from '../client.js';
import { clock, compact, table, toJson } from '../format.js';

interface LogFlags extends ClientFlags {
  limit: number;
  pattern?: string;
  peer?: string;
  since?: number;
  system?: boolean;
  json?: boolean;
}

/** An entry of the hub's answer to `$exchange.log`. */
interface LogEntryView {
  seq: number;
  direction: 'in' | 'out';
  at: number;
  peer?: string;
  envelope: Envelope;
  truncated?: true;
}

const EXAMPLES = `
Examples:
  $ exchange log
  $ exchange log --pattern 'orders.>' --limit 50
  $ exchange log --peer browser --since 5m --json | jq '.[].envelope.name'

Each row is one message as the hub logged it: in from a peer, or out to one. The hub keeps
its last EXCHANGE_LOG_SIZE messages (10000 by default); longer values come back cut.`;

/** `exchange log`: the hub's recent messages. */
export function addLog(cli: Command): void {
  withClientOptions(
    cli
      .command('log')
      .description("print the hub's recent messages, oldest first")
      .option('-l, --limit <n>', 'at most this many (the newest; up to 1000)', positiveInt, 20)
      .option('-p, --pattern <pattern>', "only names matching this pattern (e.g. 'orders.>')")
      .option('--peer <id>', 'only messages from or to this peer')
      .option('--since <duration>', 'only the last 30s, 5m, 2h, 500ms …', parseDuration)
      .option('--system', 'include system messages ($exchange.*; implied by such a --pattern)')
      .option('--json', 'print the entries as a JSON array'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('log', log));
}

async function log(flags: LogFlags): Promise<void> {
  if (flags.pattern !== undefined) validatePattern(flags.pattern);
  const client = await connectClient(flags);
  try {
    const entries = await client.hub.request<LogEntryView[]>('$exchange.log', {
      limit: Math.min(flags.limit, 1000),
      system: flags.system === true || flags.pattern?.startsWith('$') === true,
      ...(flags.pattern !== undefined ? { pattern: flags.pattern } : {}),
      ...(flags.peer !== undefined ? { peer: flags.peer } : {}),
      ...(flags.since !== undefined ? { since: Date.now() - flags.since } : {}),
    });
    if (flags.json) return void process.stdout.write(toJson(entries) + '\n');
    if (entries.length === 0) return void process.stdout.write('no messages\n');
    process.stdout.write(
      table(['TIME', 'DIR', 'PEER', 'KIND', 'NAME', 'FROM → TO', 'VALUE'], entries.map(row)),
    );
  } finally {
    client.close();
  }
}

function row(e: LogEntryView): string[] {
  const env = e.envelope;
  const value =
    env.kind === 'err' ? `${env.error?.code}: ${env.error?.message}` : compact(env.value, 60);
  return [
    clock(e.at),
    e.direction,
    e.peer ?? '-',
    env.kind,
    env.name,
    `${env.from} → ${env.to ?? '*'}`,
    env.value === undefined && env.kind !== 'err' ? '' : value,
  ];
}
