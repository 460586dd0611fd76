// The raw `ws` relay: the least a hub on `ws` can do. One WebSocket text frame per message, a tiny
// JSON frame format, exact subjects only (no wildcards), no envelope and no coalescing:
//
//   {"t":"sub","s":subject,"i":id}          → {"t":"ok","i":id}       (also "resp": become responder)
//   {"t":"pub","s":subject,"p":payload}     → the same frame, verbatim, to every subscriber
//   {"t":"req","s":subject,"i":id,"p":…}    → responder gets {"t":"req","s","i":hubId,"p"},
//   {"t":"res","i":hubId,"p":…}             → requester gets {"t":"res","i":id,"p"} (or "e": error)
//   {"t":"ping","i":id}                     → {"t":"ok","i":id}
import { startNodeHub } from '../processes.mjs';
import { textPayload, textSeq } from '../payload.mjs';
import { onceEvent, withTimeout } from '../wait.mjs';

const MAX_PAYLOAD = 1 << 20;

function relayClient(ws) {
  const subscriptions = new Map();
  const responders = new Map();
  const pending = new Map();
  let nextId = 1;

  const call = (t, s, p) =>
    new Promise((resolve, reject) => {
      const i = nextId++;
      pending.set(i, { resolve, reject });
      ws.send(JSON.stringify(p === undefined ? { t, s, i } : { t, s, i, p }));
    });

  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.t === 'pub') subscriptions.get(frame.s)?.(frame.p);
    else if (frame.t === 'req') {
      const reply = responders.get(frame.s)(frame.p);
      ws.send(JSON.stringify({ t: 'res', i: frame.i, p: reply }));
    } else {
      const waiter = pending.get(frame.i);
      pending.delete(frame.i);
      if (frame.e) waiter?.reject(new Error(frame.e));
      else waiter?.resolve(frame.p);
    }
  });
  ws.once('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('connection closed'));
    pending.clear();
  });

  return {
    publish: (s, p) => ws.send(JSON.stringify({ t: 'pub', s, p })),
    subscribe: (s, handler) => (subscriptions.set(s, handler), call('sub', s)),
    respond: (s, handler) => (responders.set(s, handler), call('resp', s)),
    request: (s, p) => call('req', s, p),
    flush: () => call('ping'),
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await withTimeout(closed, 2000, 'ws close').catch(() => ws.terminate());
    },
  };
}

/** @type {import('./index.mjs').HubSystem} */
export const system = {
  key: 'ws',
  label: 'raw ws relay',
  unavailable: () => null,
  startHub: ({ timeoutMs }) =>
    startNodeHub(new URL('../servers/ws-relay.mjs', import.meta.url), 'ws relay hub', timeoutMs),
  async connect({ port, timeoutMs }) {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, {
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
    });
    try {
      await onceEvent(ws, 'open', 'error', timeoutMs, 'ws connect');
    } catch (error) {
      ws.terminate();
      throw error;
    }
    return relayClient(ws);
  },
  payload: textPayload,
  seqOf: textSeq,
};
