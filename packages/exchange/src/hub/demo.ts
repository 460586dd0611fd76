/**
 * The founding demonstration, run on a hub: a `server` exchange handles `users.list` by asking a
 * `database` exchange (`db.query`), and a browser page the hub serves asks the server. The
 * server hangs off the hub and the database off the server, so the reply's trace shows the
 * whole way: browser → hub → server → database → server → hub → browser.
 */
import { exchange, type Exchange } from '../index.js';

const USERS = [
  { id: 1, name: 'Ada Lovelace', role: 'admin' },
  { id: 2, name: 'Linus Torvalds', role: 'maintainer' },
  { id: 3, name: 'Grace Hopper', role: 'admin' },
];

export interface Demo {
  readonly server: Exchange;
  readonly database: Exchange;
  close(): void;
}

/** Start the demo's exchanges and connect them to `hub`. */
export async function startDemo(hub: Exchange): Promise<Demo> {
  const database = exchange({ id: 'database' });
  database.handle('db.query', (msg) => {
    const { table, where } = (msg.value ?? {}) as { table?: string; where?: { role?: string } };
    if (table !== 'users') throw new Error(`no table ${String(table)}`);
    return USERS.filter((u) => where?.role === undefined || u.role === where.role);
  });
  const server = exchange({ id: 'server' });
  server.handle('users.list', async (msg, ctx) => {
    const role = (msg.value as { role?: string } | undefined)?.role;
    const rows = await ctx.request('db.query', { table: 'users', where: { role } });
    ctx.send('users.listed', { by: msg.from, count: (rows as unknown[]).length });
    return rows;
  });
  // A leaf of the hub: it needs none of the routes the hub learns from its clients.
  await server.connect({ transport: 'local', exchange: hub, leaf: true });
  await database.connect({ transport: 'local', exchange: server });
  return {
    server,
    database,
    close() {
      database.close();
      server.close();
    },
  };
}
