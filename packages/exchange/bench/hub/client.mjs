// A client process of the hub benchmark: runs one role of roles.mjs against one system's hub and
// talks to the runner over IPC. Closes its connections and exits on `close`, and exits on its own
// when the runner goes away, so it never outlives a run.
//
//   forked by processes.mjs with one argument: '{"system":"ws","role":"publish","port":…,…}'
import { ROLES } from './roles.mjs';
import { loadSystem } from './systems/index.mjs';
import { withTimeout } from './wait.mjs';

const config = JSON.parse(process.argv[2]);
const clients = [];
const inbox = [];
const waiting = new Map();

const io = {
  send: (message) => process.connected && process.send(message),
  track: (client) => (clients.push(client), client),
  /** The next message of `type` from the runner (no limit: the runner bounds every wait). */
  next(type) {
    const index = inbox.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0]);
    return new Promise((resolve) => waiting.set(type, resolve));
  },
};

async function closeAndExit(code) {
  await Promise.allSettled(clients.map((c) => withTimeout(c.close(), 2000, 'close')));
  process.exit(code);
}

process.on('message', (message) => {
  if (message.type === 'close') return void closeAndExit(0);
  const resolve = waiting.get(message.type);
  waiting.delete(message.type);
  if (resolve) resolve(message);
  else inbox.push(message);
});
process.on('disconnect', () => process.exit(0));

try {
  const system = await loadSystem(config.system);
  await ROLES[config.role](system, config, io);
} catch (error) {
  io.send({ type: 'error', message: String(error?.stack ?? error) });
  await closeAndExit(1);
}
