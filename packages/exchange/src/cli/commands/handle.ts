import type { Command } from 'commander';
import { validatePattern, type Envelope } from '../../index.js';
import {
  action,
  connectClient,
  parseJson,
  positiveInt,
  untilInterrupted,
  withClientOptions,
  type ClientFlags,
} from '../client.js';
import { execReply } from '../exec-reply.js';
import { formatEnvelope, formatError } from '../format.js';

interface HandleFlags extends ClientFlags {
  reply?: string;
  exec?: string;
  count?: number;
  quiet?: boolean;
}

/** How long an --exec command may run for a one-way message (requests have their deadline). */
const MESSAGE_COMMAND_TIMEOUT = 30_000;

const EXAMPLES = `
Examples:
  $ exchange handle health.check --reply '{"ok":true}'
  $ exchange handle text.upper --exec 'tr a-z A-Z'
  $ exchange handle 'files.>' --exec './answer.sh'   # value on stdin, reply on stdout

--exec runs the command through the shell once per message, with the value as JSON on stdin
and EXCHANGE_NAME, EXCHANGE_FROM and EXCHANGE_MESSAGE_ID in its environment. Its stdout is the
reply: JSON if it parses, else the text. A non-zero exit fails the request: the requester gets
a RemoteError (exit 5 from 'exchange request') whose data has the exit code and stderr. The
command is killed when the request's deadline passes.`;

/** `exchange handle <pattern>`: answer requests with fixed JSON or a command's output. */
export function addHandle(cli: Command): void {
  withClientOptions(
    cli
      .command('handle')
      .description('handle a name until Ctrl+C: reply fixed JSON, or run a command per request')
      .argument('<pattern>', "the name (or pattern, e.g. 'users.*') to handle")
      .option('-r, --reply <json>', 'reply this JSON to every request')
      .option('-x, --exec <command>', 'run this shell command per request and reply its stdout')
      .option('-n, --count <n>', 'stop after n messages', positiveInt)
      .option('-q, --quiet', 'do not print each message to stderr'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('handle', handle));
}

async function handle(pattern: string, flags: HandleFlags, cmd: Command): Promise<void> {
  if ((flags.reply === undefined) === (flags.exec === undefined))
    cmd.error('error: give exactly one of --reply <json> and --exec <command>', { exitCode: 2 });
  validatePattern(pattern);
  const answer = answerer(flags);
  const client = await connectClient(flags, { reconnect: true });
  const stop = untilInterrupted();
  let handled = 0;
  client.ex.handle(pattern, async (msg) => {
    try {
      const reply = await answer(msg);
      if (!flags.quiet) process.stderr.write(`${formatEnvelope(msg)}\n`);
      return reply;
    } catch (e) {
      if (!flags.quiet) process.stderr.write(`${formatEnvelope(msg)}  failed: ${formatError(e)}\n`);
      throw e;
    } finally {
      // The exchange sends the reply once this handler's promise settles: stop after that.
      if (++handled === flags.count) setImmediate(stop.stop);
    }
  });
  process.stderr.write(
    `handling '${pattern}' via ${client.hub.id} at ${flags.url} (Ctrl+C to stop)\n`,
  );
  try {
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      else stop.signal.addEventListener('abort', () => resolve());
    });
    // Let the last replies reach the hub before the link closes (it drops what it still holds).
    if (flags.count !== undefined) await client.settle().catch(() => {});
  } finally {
    stop.dispose();
    client.close();
  }
}

function answerer(flags: HandleFlags): (msg: Envelope) => Promise<unknown> {
  if (flags.exec !== undefined) {
    const command = flags.exec;
    return (msg) => {
      const left = msg.deadline !== undefined ? msg.deadline - Date.now() : MESSAGE_COMMAND_TIMEOUT;
      return execReply(command, msg, left);
    };
  }
  const reply = parseJson(flags.reply!, '--reply');
  return () => Promise.resolve(reply);
}
