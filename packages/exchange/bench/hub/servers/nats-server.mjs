// Starting nats-server on a free loopback port: it cannot listen on port 0 and report the port, so
// pick one that was free a moment ago and retry if another process took it in between.
import { freePort, spawnTracked, stopChild } from '../processes.mjs';
import { withTimeout } from '../wait.mjs';

const READY = 'Server is ready';
const ATTEMPTS = 3;

/** Resolves when nats-server logs READY; rejects with its log if it exits first. */
function ready(child, timeoutMs) {
  let log = '';
  const started = new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      log = (log + chunk).slice(-4000);
      if (log.includes(READY)) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}):\n${log}`)));
  });
  return withTimeout(started, timeoutMs, 'nats-server start');
}

async function startOnce(timeoutMs) {
  const port = await freePort();
  const child = spawnTracked('nats-server', ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    await ready(child, timeoutMs);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  child.stderr.resume(); // keep draining its log, unread
  return { port, pid: child.pid, stop: () => stopChild(child) };
}

/** @type {import('../systems/index.mjs').HubSystem['startHub']} */
export async function startHub({ timeoutMs }) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(timeoutMs);
    } catch (error) {
      if (attempt === ATTEMPTS || !/address already in use/i.test(String(error.message))) {
        throw error;
      }
    }
  }
}
