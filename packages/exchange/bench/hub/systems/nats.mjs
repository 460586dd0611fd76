// nats-server (the Debian package, 2.9) with the nats.js client (`@nats-io/transport-node`). The
// server is spawned directly, so its pid is the process whose RSS S4 reads. Its clients speak the
// NATS protocol over TCP: nats-server 2.9 serves WebSocket only with a config block, and Node 20
// has no WebSocket for nats.js's browser transport.
import { startHub as startServer } from '../servers/nats-server.mjs';
import { bytePayload, byteSeq } from '../payload.mjs';
import { onPath } from '../processes.mjs';
import { withTimeout } from '../wait.mjs';

/** Requests get a long client-side timeout: the runner's own deadline decides when to give up. */
const REQUEST_TIMEOUT_MS = 120_000;

function natsClient(nc) {
  return {
    publish: (s, p) => nc.publish(s, p),
    async subscribe(s, handler) {
      nc.subscribe(s, { callback: (error, msg) => error === null && handler(msg.data) });
      await nc.flush();
    },
    async respond(s, handler) {
      nc.subscribe(s, {
        callback: (error, msg) => error === null && msg.respond(handler(msg.data)),
      });
      await nc.flush();
    },
    request: (s, p) => nc.request(s, p, { timeout: REQUEST_TIMEOUT_MS }).then((msg) => msg.data),
    flush: () => nc.flush(),
    close: () => withTimeout(nc.close(), 2000, 'nats close').catch(() => {}),
  };
}

/** @type {import('./index.mjs').HubSystem} */
export const system = {
  key: 'nats',
  label: 'nats-server + nats.js',
  notes: {
    s4: 'nats: S4 clients are NATS-protocol TCP connections (nats-server 2.9 has no WebSocket without a config block); RSS is the nats-server process.',
  },
  unavailable: () =>
    onPath('nats-server')
      ? null
      : 'nats-server not found on PATH (Debian: apt-get install -y nats-server)',
  startHub: startServer,
  async connect({ port, timeoutMs }) {
    const { connect } = await import('@nats-io/transport-node');
    return natsClient(
      await connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: timeoutMs }),
    );
  },
  payload: bytePayload,
  seqOf: byteSeq,
};
