// socket.io 4 as a hub (server in ../servers/socketio.mjs): events `pub`, `sub`, `resp`, `req` with
// an ack carrying the reply, `flush` acked by the hub; deliveries arrive as `msg` events.
import { startNodeHub } from '../processes.mjs';
import { textPayload, textSeq } from '../payload.mjs';
import { onceEvent, withTimeout } from '../wait.mjs';

function socketClient(socket) {
  const subscriptions = new Map();
  const responders = new Map();
  socket.on('msg', (subject, payload) => subscriptions.get(subject)?.(payload));
  socket.on('req', (subject, payload, ack) => ack(responders.get(subject)(payload)));
  const acked = (...args) => socket.emitWithAck(...args);

  return {
    publish: (s, p) => void socket.emit('pub', s, p),
    subscribe: (s, handler) => (subscriptions.set(s, handler), acked('sub', s)),
    respond: (s, handler) => (responders.set(s, handler), acked('resp', s)),
    async request(s, p) {
      const reply = await acked('req', s, p);
      if (typeof reply === 'object' && reply?.error) throw new Error(reply.error);
      return reply;
    },
    flush: () => acked('flush'),
    async close() {
      if (!socket.connected) return;
      const closed = new Promise((resolve) => socket.once('disconnect', resolve));
      socket.disconnect();
      await withTimeout(closed, 2000, 'socket.io close').catch(() => {});
    },
  };
}

/** @type {import('./index.mjs').HubSystem} */
export const system = {
  key: 'socketio',
  label: 'socket.io 4',
  unavailable: () => null,
  startHub: ({ timeoutMs }) =>
    startNodeHub(new URL('../servers/socketio.mjs', import.meta.url), 'socket.io hub', timeoutMs),
  async connect({ port, timeoutMs }) {
    const { io } = await import('socket.io-client');
    const socket = io(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    try {
      await onceEvent(socket, 'connect', 'connect_error', timeoutMs, 'socket.io connect');
    } catch (error) {
      socket.disconnect();
      throw error;
    }
    return socketClient(socket);
  },
  payload: textPayload,
  seqOf: textSeq,
};
