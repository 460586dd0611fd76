// The socket.io reference hub, in a process of its own: subjects are rooms, a publish is one
// broadcast to the room, a request is forwarded to the subject's responder and its ack relayed back
// as the requester's ack. WebSocket transport only (no long-polling). Reports its port over IPC and
// exits when the runner goes away.
import { createServer } from 'node:http';

import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  maxHttpBufferSize: 1 << 20,
});
const responders = new Map(); // subject → socket

io.on('connection', (socket) => {
  socket.on('pub', (subject, payload) => io.to(subject).emit('msg', subject, payload));
  socket.on('req', (subject, payload, ack) => {
    const responder = responders.get(subject);
    if (!responder) return ack({ error: 'no responder' });
    responder.emit('req', subject, payload, (reply) => ack(reply));
  });
  socket.on('sub', (subject, ack) => {
    void socket.join(subject);
    ack();
  });
  socket.on('resp', (subject, ack) => {
    responders.set(subject, socket);
    ack();
  });
  socket.on('flush', (ack) => ack());
  socket.on('disconnect', () => {
    for (const [subject, responder] of responders) {
      if (responder === socket) responders.delete(subject);
    }
  });
});

http.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: http.address().port }));
process.on('disconnect', () => process.exit(0));
