import type { Command } from 'commander';
import { action, connectClient, withClientOptions, type ClientFlags } from '../client.js';
import { table, toJson } from '../format.js';
import type { HubInfo } from './peers.js';

interface RoutesFlags extends ClientFlags {
  json?: boolean;
}

/** One line of the hub's routing table. */
export interface RouteView {
  kind: string;
  pattern: string;
  /** The hub itself has it. */
  local: boolean;
  /** Peer id → distance (hops from the hub) through that peer. */
  via: Record<string, number>;
}

const EXAMPLES = `
Examples:
  $ exchange routes
  $ exchange routes --json | jq '.[] | select(.kind == "handle")'

KIND is handle, observe or exchange (an exchange id the hub can reach); VIA lists the peers
the hub would send through, each with the distance in hops (1: the peer itself). This
command's own connection is left out.`;

/** `exchange routes`: the hub's routing table. */
export function addRoutes(cli: Command): void {
  withClientOptions(
    cli
      .command('routes')
      .description("print the hub's routing table: what is handled and observed, via whom, how far")
      .option('--json', 'print the routes as a JSON array'),
  )
    .addHelpText('after', EXAMPLES)
    .action(action('routes', routes));
}

async function routes(flags: RoutesFlags): Promise<void> {
  const client = await connectClient(flags);
  try {
    const info = await client.hub.request<HubInfo>('$exchange.info');
    const views = routeViews(info, client.ex.id);
    if (flags.json) return void process.stdout.write(toJson(views) + '\n');
    const rows = views.map((r) => {
      const via = Object.entries(r.via).map(([peer, d]) => `${peer} (${d})`);
      if (r.local) via.unshift(`${info.id} (here)`);
      return [r.kind, r.pattern, via.join(' ')];
    });
    process.stdout.write(table(['KIND', 'PATTERN', 'VIA (DISTANCE)'], rows));
  } finally {
    client.close();
  }
}

const KIND_ORDER: Record<string, number> = { handle: 0, observe: 1, exchange: 2 };

/** The hub's routes, sorted by kind then pattern, without what only this client offers. */
export function routeViews(info: HubInfo, self: string): RouteView[] {
  const views: RouteView[] = [];
  for (const r of info.routes) {
    const via = Object.fromEntries(Object.entries(r.via).filter(([peer]) => peer !== self));
    if (!r.local && Object.keys(via).length === 0) continue;
    views.push({ kind: r.kind, pattern: r.pattern, local: r.local, via });
  }
  return views.sort(
    (a, b) =>
      (KIND_ORDER[a.kind] ?? 3) - (KIND_ORDER[b.kind] ?? 3) || (a.pattern < b.pattern ? -1 : 1),
  );
}
