// The relay topology of the request scenario: a hub exchange with a responder behind it (linked
// in-process, so every request the hub passes on is one it relays and tracks), shared by the
// router role, the IPC child and the in-process (local) case.
import { DIST } from './lib.mjs';
import { exchange } from './library.mjs';

/**
 * A responder linked to `hub`: an echo, a reply after 500 ms (long enough that a loaded CI
 * machine still aborts before it), and a handler that never answers.
 */
async function responderFor(hub) {
  const responder = exchange({ id: 'responder' });
  responder.handle('rel.echo', (m) => m.value);
  responder.handle(
    'rel.slow',
    () => new Promise((resolve) => setTimeout(() => resolve('late'), 500)),
  );
  responder.handle('rel.never', () => new Promise(() => {}));
  await responder.connect({ transport: 'local', exchange: hub });
  return responder;
}

/** A hub exchange with its responder, in this process. */
export async function hubWithResponder(id = 'hub') {
  const hub = exchange({ id });
  return { hub, responder: await responderFor(hub) };
}

/** The same, as a real hub (`startHub`: WebSocket and HTTP on one port) plus a TCP listener. */
export async function startRouter() {
  const { startHub } = await import(new URL('hub/hub.js', DIST).href);
  const { DEFAULTS } = await import(new URL('hub/config.js', DIST).href);
  const hub = await startHub({ ...DEFAULTS, port: 0, demo: false });
  await responderFor(hub.exchange);
  const tcp = await hub.exchange.listen({ transport: 'tcp', port: 0 });
  return { hub, tcpPort: tcp.port };
}
