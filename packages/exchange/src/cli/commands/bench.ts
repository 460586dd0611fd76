import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  action,
  connectClient,
  parseDuration,
  positiveInt,
  withClientOptions,
  type Client,
  type ClientFlags,
} from '../client.js';
import { benchPubSub, benchRequest, type BenchLoad, type BenchResult } from '../bench-run.js';
import { table, toJson } from '../format.js';

interface BenchFlags extends ClientFlags {
  messages: number;
  size: number;
  concurrency: number;
  duration?: number;
  only?: 'pubsub' | 'request';
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ exchange bench
  $ exchange bench --messages 100000 --size 1024 --concurrency 128
  $ exchange bench --duration 10s --only request --json

Two clients of this process connect to the hub; every message goes client → hub → client.
pubsub: one publishes, the other observes, with --concurrency messages in flight at most.
request: --concurrency requests at a time to an echo handler on the other client.
Latency is from send to delivery (pubsub) or to the reply (request). The progress line shows
only when stderr is a terminal. Exit 1 if any message was lost or any request failed.`;

/** `exchange bench`: load a hub with pub/sub and request/reply; print rates and latencies. */
export function addBench(cli: Command): void {
  withClientOptions(
    cli
      .command('bench')
      .description('measure a hub: publish/subscribe and request/reply rates and latencies')
      .option('-m, --messages <n>', 'messages (or requests) per scenario', positiveInt, 10_000)
      .option('-s, --size <bytes>', 'payload bytes per message', nonNegativeInt, 128)
      .option('-c, --concurrency <n>', 'messages in flight at once', positiveInt, 32)
      .option(
        '-d, --duration <time>',
        'run each scenario this long (30s, 1m …), not --messages',
        parseDuration,
      )
      .addOption(new Option('--only <scenario>', 'run one scenario').choices(['pubsub', 'request']))
      .option('--json', 'print the results as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('bench', bench));
}

async function bench(flags: BenchFlags): Promise<void> {
  const base = (flags.id ?? `bench-${randomBytes(4).toString('hex')}`).slice(0, 60);
  const clients: Client[] = [];
  try {
    clients.push(await connectClient(flags, { id: `${base}-a` }));
    clients.push(await connectClient(flags, { id: `${base}-b` }));
    const [a, b] = clients;
    const results: BenchResult[] = [];
    for (const scenario of flags.only ? [flags.only] : (['pubsub', 'request'] as const)) {
      const name = `bench.${base}.${scenario}`;
      const progress = progressLine(scenario, flags);
      const load: BenchLoad = { ...loadOf(flags), onProgress: progress.update };
      try {
        results.push(
          scenario === 'pubsub'
            ? await benchPubSub(a.ex, b.ex, name, load)
            : await benchRequest(a.ex, b.ex, name, load),
        );
      } finally {
        progress.stop();
      }
    }
    print(results, a, flags);
    const lost = results.reduce((n, r) => n + r.lost, 0);
    if (lost > 0) {
      process.stderr.write(`exchange bench: ${lost} messages lost or requests failed\n`);
      process.exitCode = 1;
    }
  } finally {
    for (const c of clients) c.close();
  }
}

function loadOf(flags: BenchFlags): BenchLoad {
  return {
    messages: flags.messages,
    size: flags.size,
    concurrency: flags.concurrency,
    ...(flags.duration !== undefined ? { durationMs: flags.duration } : {}),
  };
}

function print(results: BenchResult[], client: Client, flags: BenchFlags): void {
  const load = loadOf(flags);
  if (flags.json) {
    process.stdout.write(toJson({ hub: client.hub.id, url: flags.url, load, results }) + '\n');
    return;
  }
  const amount =
    flags.duration !== undefined ? `${flags.duration / 1000} s each` : `${flags.messages} messages`;
  process.stdout.write(
    `hub ${client.hub.id} at ${flags.url}: ${amount}, ${flags.size} B payload, concurrency ${flags.concurrency}\n`,
  );
  const ms = (n: number) => n.toFixed(2);
  const rows = results.map((r) => [
    r.scenario,
    String(r.messages),
    r.seconds.toFixed(2),
    Math.round(r.rate).toLocaleString('en-US'),
    r.mbPerSecond.toFixed(2),
    ms(r.latency.p50),
    ms(r.latency.p90),
    ms(r.latency.p99),
    ms(r.latency.max),
    String(r.lost),
  ]);
  const headers = ['SCENARIO', 'MESSAGES', 'SECONDS', 'MSG/S', 'MB/S', 'P50 MS', 'P90 MS'];
  process.stdout.write(table([...headers, 'P99 MS', 'MAX MS', 'LOST'], rows));
}

/** A live progress line on stderr when it is a terminal (cli-progress); nothing otherwise. */
function progressLine(
  scenario: string,
  flags: BenchFlags,
): { update: (done: number) => void; stop: () => void } {
  if (!process.stderr.isTTY || flags.json) return { update: () => {}, stop: () => {} };
  const timed = flags.duration !== undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${scenario.padEnd(8)} [{bar}] {percentage}% | {done} done | {rate}/s`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = Date.now();
  bar.start(timed ? flags.duration! : flags.messages, 0, { done: 0, rate: 0 });
  return {
    update: (done) => {
      const elapsed = Date.now() - start;
      const rate = Math.round(done / Math.max(elapsed / 1000, 0.001));
      bar.update(timed ? Math.min(elapsed, flags.duration!) : done, { done, rate });
    },
    stop: () => bar.stop(),
  };
}

function nonNegativeInt(text: string): number {
  return text.trim() === '0' ? 0 : positiveInt(text);
}
