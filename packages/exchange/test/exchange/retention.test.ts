// A peer that left is not kept alive by the exchange's caches (routes resolved per name, next hops
// per exchange id): with 50,000 connection cycles, stale entries held thousands of departed
// peers, each with its link and socket, until their cache slot was reused.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { exchange, type Exchange, type Peer } from '../../src/index.js';
import { make, until } from './network.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tick = () => new Promise((r) => setTimeout(r, 20));

/** Connect a client over WebSocket, use every cached path to it, close it; a WeakRef to its peer. */
async function churnOne(hub: Exchange, url: string, id: string): Promise<WeakRef<Peer>> {
  const client = exchange({ id });
  client.on(`only.${id}`, () => {});
  await client.connect({ transport: 'websocket', url, reconnect: false });
  await until(
    () => hub.describe().routes.some((r) => r.pattern === `only.${id}`),
    'its route',
    5000,
  );
  await client.request('ping', 1, { timeout: 5000 }); // a reply hop: next hop to `id`
  hub.send(`only.${id}`, 1); // a route for the name, through the peer
  const peer = new WeakRef(hub.peer(id)!);
  client.close();
  await until(() => hub.peer(id) === undefined, 'the peer to leave', 5000);
  return peer;
}

describe('departed peers', () => {
  it('are not kept alive by cached routes or next hops', async () => {
    const hub = make({ id: 'hub' });
    hub.handle('ping', () => 'pong');
    const listener = await hub.listen({ transport: 'websocket', port: 0 });
    const refs: WeakRef<Peer>[] = [];
    for (let i = 0; i < 5; i++) refs.push(await churnOne(hub, listener.url, `c${i}`));
    // Sockets and timers let go over a few turns: collect until they are gone, or give up.
    for (let i = 0; i < 20 && refs.some((r) => r.deref() !== undefined); i++) {
      await tick();
      gc();
    }
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });
});
