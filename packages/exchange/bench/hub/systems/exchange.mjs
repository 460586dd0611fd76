// The Exchange hub: ours. The hub runs as `exchange serve` does (../servers/exchange-hub.mjs); each
// client is an exchange connected over WebSocket with the default codec choice (msgpack), so every
// message carries a full envelope (id, name, sender, time, trace) and gets a trace hop per exchange
// it passes, which the reference systems do not do.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distUrl } from '../dist.mjs';
import { startNodeHub } from '../processes.mjs';
import { textPayload, textSeq } from '../payload.mjs';

const HUB = 'hub/hub.js';
/** Frames a client may queue: publishers run ahead of the hub by up to 16 batches of 1,000. */
const MAX_QUEUED = 100_000;
let clients = 0;

/** @type {import('./index.mjs').HubSystem} */
export const system = {
  key: 'exchange',
  label: 'exchange (ours)',
  notes: {
    all: 'ours: every message is a full envelope with its trace, coalesced per turn, msgpack negotiated',
  },
  unavailable({ distUrl }) {
    const file = fileURLToPath(new URL(HUB, distUrl));
    return existsSync(file) ? null : `not built (${path.relative(process.cwd(), file)} is missing)`;
  },
  startHub: ({ timeoutMs }) =>
    startNodeHub(
      new URL('../servers/exchange-hub.mjs', import.meta.url),
      'exchange hub',
      timeoutMs,
    ),
  async connect({ port, timeoutMs }) {
    const dist = distUrl();
    const { exchange } = await import(new URL('index.js', dist).href);
    const ex = exchange({ id: `bench-${process.pid}-${clients++}`, defaultTimeout: 30_000 });
    await ex.connect({
      transport: 'websocket',
      url: `ws://127.0.0.1:${port}/`,
      maxQueued: MAX_QUEUED,
      connectTimeout: timeoutMs,
      reconnect: false,
    });
    const routed = new Set();
    // The hub has seen everything sent before a round trip to it (one link, in order). The
    // round trip is `$exchange.log` for the newest entry: its reply is small whatever the hub
    // holds. (`$exchange.info` answers with every route, O(clients), and the hub's message log
    // keeps each reply: with 1,000 idle clients that was 110 of the 226 KiB per connection in S4.)
    const roundTrip = async () => {
      await new Promise((resolve) => setImmediate(resolve)); // let queued adverts go first
      await ex.request('$exchange.log', { limit: 1 }, { to: 'hub', timeout: timeoutMs });
    };
    return {
      publish: (subject, payload) => void ex.send(subject, payload),
      async subscribe(subject, handler) {
        ex.on(subject, (msg) => handler(msg.value));
        await roundTrip();
      },
      async respond(subject, handler) {
        ex.handle(subject, (msg) => handler(msg.value));
        await roundTrip();
      },
      // The requester may connect before the hub's advert of the responder reaches it.
      request: (subject, payload) =>
        routed.has(subject)
          ? ex.request(subject, payload)
          : ex.reachable(subject, { timeout: timeoutMs }).then(() => {
              routed.add(subject);
              return ex.request(subject, payload);
            }),
      flush: roundTrip,
      async close() {
        ex.close();
      },
    };
  },
  payload: textPayload,
  seqOf: textSeq,
};
