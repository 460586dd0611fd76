import type { Command } from 'commander';
import type { Exchange } from '../../index.js';
import { action, connectClient, withClientOptions, type ClientFlags } from '../client.js';
import { table, toJson } from '../format.js';

interface ListFlags extends ClientFlags {
  json?: boolean;
}

/** What `$exchange.info` answers: the hub's `describe()`. */
export type HubInfo = ReturnType<Exchange['describe']>;

/** One of the hub's peers: what it handles and observes itself, and who is behind it. */
export interface PeerView {
  id: string;
  handles: string[];
  observes: string[];
  /** Exchanges reached through this peer (not the peer itself), with their distance from the hub. */
  behind: Record<string, number>;
}

const EXAMPLES = `
Examples:
  $ exchange peers
  $ exchange peers --json | jq '.peers[].id'

This command's own connection is left out.`;

/** `exchange peers`: the hub's peers and what each one handles and observes. */
export function addPeers(cli: Command): void {
  withClientOptions(
    cli
      .command('peers')
      .description("list the hub's peers: what each handles and observes, who is behind it")
      .option('--json', 'print { hub, peers } as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('peers', peers));
}

async function peers(flags: ListFlags): Promise<void> {
  const client = await connectClient(flags);
  try {
    const info = await client.hub.request<HubInfo>('$exchange.info');
    const views = peerViews(info, client.ex.id);
    if (flags.json) return void process.stdout.write(toJson({ hub: info.id, peers: views }) + '\n');
    if (views.length === 0) return void process.stdout.write(`hub ${info.id} has no other peers\n`);
    const rows = views.map((p) => [
      p.id,
      p.handles.join(' ') || '-',
      p.observes.join(' ') || '-',
      Object.entries(p.behind)
        .map(([id, d]) => `${id} (${d})`)
        .join(' ') || '-',
    ]);
    process.stdout.write(table(['PEER', 'HANDLES', 'OBSERVES', 'BEHIND IT (DISTANCE)'], rows));
  } finally {
    client.close();
  }
}

/**
 * The hub's peers, without `self`. A peer's own handlers and observers are the routes it
 * offers at distance 1; farther `exchange` routes through it are the exchanges behind it.
 */
export function peerViews(info: HubInfo, self: string): PeerView[] {
  const views = new Map<string, PeerView>();
  for (const id of [...info.peers].sort())
    if (id !== self) views.set(id, { id, handles: [], observes: [], behind: {} });
  for (const route of info.routes) {
    for (const [peer, d] of Object.entries(route.via)) {
      const view = views.get(peer);
      if (!view) continue;
      if (route.kind === 'exchange') {
        if (d > 1 && route.pattern !== self) view.behind[route.pattern] = d;
      } else if (d === 1)
        (route.kind === 'handle' ? view.handles : view.observes).push(route.pattern);
    }
  }
  return [...views.values()];
}
