// The raw `ws` relay hub (frame format in ../systems/ws.mjs), in a process of its own: it reports
// its port over IPC and exits when the runner goes away.
import { WebSocketServer } from 'ws';

const subscribers = new Map(); // subject → Set of sockets
const responders = new Map(); // subject → socket
const pending = new Map(); // hub request id → { ws, i: the requester's id }
let nextId = 1;

const send = (ws, frame) => ws.send(JSON.stringify(frame));

function route(ws, data) {
  const frame = JSON.parse(data.toString());
  switch (frame.t) {
    case 'pub': {
      // Forward the frame as it came: the relay never re-encodes a message.
      for (const sub of subscribers.get(frame.s) ?? []) sub.send(data, { binary: false });
      return;
    }
    case 'req': {
      const responder = responders.get(frame.s);
      if (!responder) return send(ws, { t: 'res', i: frame.i, e: 'no responder' });
      const i = nextId++;
      pending.set(i, { ws, i: frame.i });
      return send(responder, { t: 'req', s: frame.s, i, p: frame.p });
    }
    case 'res': {
      const request = pending.get(frame.i);
      pending.delete(frame.i);
      return request && send(request.ws, { t: 'res', i: request.i, p: frame.p });
    }
    case 'sub': {
      const set = subscribers.get(frame.s) ?? new Set();
      subscribers.set(frame.s, set.add(ws));
      return send(ws, { t: 'ok', i: frame.i });
    }
    case 'resp':
      responders.set(frame.s, ws);
      return send(ws, { t: 'ok', i: frame.i });
    case 'ping':
      return send(ws, { t: 'ok', i: frame.i });
    default:
      ws.close(1008, 'unknown frame type');
  }
}

function forget(ws) {
  for (const set of subscribers.values()) set.delete(ws);
  for (const [subject, responder] of responders) if (responder === ws) responders.delete(subject);
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 1 << 20,
  clientTracking: false,
});
server.on('connection', (ws) => {
  ws.on('message', (data) => {
    try {
      route(ws, data);
    } catch {
      ws.close(1007, 'bad frame');
    }
  });
  ws.on('close', () => forget(ws));
});
server.on('listening', () => process.send({ type: 'listening', port: server.address().port }));
process.on('disconnect', () => process.exit(0));
