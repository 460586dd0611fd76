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
  /** The value was too large for the hub's log: its estimated bytes (at least). */
  valueOmitted?: number;
}

const EXAMPLES = `
Examples:
  $ exchange log
  $ exchange log --pattern 'orders.>' --limit 50
  $ exchange log --peer browser --since 5m --json | jq '.[].envelope.name'

Each row is one message as the hub logged it: in from a peer, or out to one. The hub keeps
its last EXCHANGE_LOG_SIZE messages (10000 by default) within EXCHANGE_LOG_MAX_BYTES (64 MiB);
longer values come back cut, and values too large for the log show as
[value not logged: ≥ size].`;

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
    e.valueOmitted !== undefined
      ? `[value not logged: ≥ ${bytes(e.valueOmitted)}]`
      : env.kind === 'err'
        ? `${env.error?.code}: ${env.error?.message}`
        : env.value === undefined
          ? ''
          : compact(env.value, 60);
  return [
    clock(e.at),
    e.direction,
    e.peer ?? '-',
    env.kind,
    env.name,
    `${env.from} → ${env.to ?? '*'}`,
    value,
  ];
}

/** 512 B, 4.0 KiB, 5.0 MiB. */
function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
