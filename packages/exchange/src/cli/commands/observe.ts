import type { Command } from 'commander';
import { TimeoutError, validatePattern, type Envelope } from '../../index.js';
import {
  action,
  connectClient,
  positiveInt,
  untilInterrupted,
  withClientOptions,
  type ClientFlags,
} from '../client.js';
import { formatEnvelope } from '../format.js';

interface ObserveFlags extends ClientFlags {
  json?: boolean;
  count?: number;
  timeout?: number;
}

const EXAMPLES = `
Examples:
  $ exchange observe 'orders.>'
  $ exchange observe 'sensors.*.temperature' --json | jq .value
  $ exchange observe jobs.done --count 1 --timeout 60000   # wait for one, at most a minute

Ctrl+C ends it (exit 0). --timeout alone observes for that long (exit 0); with --count, fewer
than n messages by then exits 4.`;

/** `exchange observe <pattern>`: print every matching message until stopped. */
export function addObserve(cli: Command): void {
  withClientOptions(
    cli
      .command('observe')
      .description('print every message matching a pattern, live, until Ctrl+C')
      .argument('<pattern>', "a name or pattern: '*' one token, '>' the rest (e.g. 'orders.>')")
      .option('--json', 'one JSON envelope per line instead of coloured text')
      .option('-n, --count <n>', 'stop after n messages', positiveInt)
      .option(
        '--timeout <ms>',
        'stop after this long; with --count, exit 4 if too few came',
        positiveInt,
      ),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('observe', observe));
}

async function observe(pattern: string, flags: ObserveFlags): Promise<void> {
  validatePattern(pattern);
  const client = await connectClient(flags, { reconnect: true });
  const stop = untilInterrupted();
  let timedOut = false;
  const timer =
    flags.timeout === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stop.stop();
        }, flags.timeout);
  const print = flags.json
    ? (env: Envelope) => JSON.stringify(env)
    : (env: Envelope) => formatEnvelope(env);
  if (process.stderr.isTTY)
    process.stderr.write(
      `observing '${pattern}' via ${client.hub.id} at ${flags.url} (Ctrl+C to stop)\n`,
    );
  let seen = 0;
  try {
    for await (const env of client.ex.observe(pattern, { signal: stop.signal })) {
      process.stdout.write(print(env) + '\n');
      if (++seen === flags.count) break;
    }
  } catch (e) {
    // Ctrl+C and --timeout end the loop with a CancelledError: not a failure in itself.
    if (!stop.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    stop.dispose();
    client.close();
  }
  // --timeout alone observes for that long; with --count, too few messages is a timeout.
  if (timedOut && flags.count !== undefined && seen < flags.count)
    throw new TimeoutError(pattern, flags.timeout!, {
      message: `${seen} of ${flags.count} messages matching '${pattern}' within ${flags.timeout} ms`,
    });
}
