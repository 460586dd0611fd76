// Observes one name over a reconnecting WebSocket link and records each message's `seq` and when
// it arrived.
import { now } from '../lib.mjs';
import { exchange } from '../library.mjs';

let ex;
let seqs = [];
let at = [];

export const commands = {
  async connect({ url, id = 'obs', name, reconnect }, emit) {
    ex = exchange({ id });
    ex.on(name, (m) => {
      seqs.push(m.value.seq);
      at.push(now());
    });
    ex.on('$exchange.peer.connected', (m) => {
      if (m.value.again) emit('reconnected', { at: now() });
    });
    await ex.connect({
      transport: 'websocket',
      url,
      ...(reconnect !== undefined ? { reconnect } : {}),
    });
  },

  count: () => seqs.length,

  /** What arrived since the last report. */
  report() {
    const out = { seqs: Int32Array.from(seqs), at: Float64Array.from(at) };
    seqs = [];
    at = [];
    return out;
  },

  /** The hub's `$exchange.info`, as counts. */
  async info({ hub = 'hub' }) {
    const info = await ex.request('$exchange.info', undefined, { to: hub, timeout: 10_000 });
    return { peers: info.peers.length, routes: info.routes.length, counters: info.counters };
  },

  close: () => ex?.close(),
};
