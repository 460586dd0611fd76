// Found by the idle-clients soak (docs/reliability.md, "Findings"): when a WebSocket connection
// attempt passed `connectTimeout` (a hub too busy to answer the upgrade), the client process
// crashed with an unhandled 'error' event instead of the attempt failing. The reconnect code
// called `socket.close()` on the still-connecting `ws` socket, which emits 'error' on the next
// tick, and had already removed its error handler by then. The TCP and HTTP clients are held to
// the same. Run in child processes of the built package: a crash would take the test runner's
// worker with it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = process.env.EXCHANGE_DIST
  ? pathToFileURL(process.env.EXCHANGE_DIST.replace(/\/?$/, '/'))
  : new URL('../../dist/', import.meta.url);

// One connect with a 300 ms timeout to the options given as JSON in argv[1].
const CHILD = `
const { exchange } = await import(${JSON.stringify(new URL('index.js', DIST).href)});
const options = JSON.parse(process.argv[1]);
try {
  await exchange({ id: 'c' }).connect({ ...options, connectTimeout: 300 });
  console.log('connected?!');
} catch (e) {
  console.log('rejected ' + e.code + ': ' + e.message);
}
setTimeout(() => process.exit(0), 300);
`;

function runChild(options: object): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

/** A TCP server that accepts connections and never says anything (a hub too busy to answer). */
async function silentServer(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * A listener that completes no more TCP handshakes: its process is stopped (SIGSTOP) and its
 * accept queue (backlog 1) is full, so the kernel drops new connections' SYNs and a connect
 * waits, as it does toward a host that does not answer.
 */
async function deafListener(): Promise<{ port: number; close: () => void }> {
  const code = `require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 },
    function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout.setEncoding('utf8').once('data', (s: string) => resolve(Number(s))),
  );
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    port,
    close: () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}

/** The child saw its first connect time out as a typed rejection, and exited normally. */
function expectSurvivedTimeout(code: number | null, out: string): void {
  expect(out).toContain('rejected TRANSPORT_CLOSED');
  expect(out).toContain('no connection within 300 ms');
  expect(code).toBe(0);
}

describe('connectTimeout', () => {
  // Without the build, the child fails for another reason and the expected failure means nothing.
  it('the built package is there (npm run build)', () => {
    expect(existsSync(fileURLToPath(new URL('index.js', DIST)))).toBe(true);
  });

  // Was a known failure (finding 5) until the reconnect code kept a no-op error listener.
  it('websocket: a connect timeout rejects with TRANSPORT_CLOSED, and the process lives on', async () => {
    const server = await silentServer();
    try {
      const url = `ws://127.0.0.1:${server.port}/`;
      const { code, out } = await runChild({ transport: 'websocket', url });
      expectSurvivedTimeout(code, out);
    } finally {
      server.close();
    }
  }, 20_000);

  // The three clients share one reconnecting client (src/transport/reconnecting-client.ts): the
  // same timeout, the same abort of the attempt, the same error.
  it('http: a connect timeout rejects with TRANSPORT_CLOSED, and the process lives on', async () => {
    const server = await silentServer();
    try {
      const url = `http://127.0.0.1:${server.port}/`;
      const { code, out } = await runChild({ transport: 'http', url });
      expectSurvivedTimeout(code, out);
    } finally {
      server.close();
    }
  }, 20_000);

  it('tcp: a connect timeout rejects with TRANSPORT_CLOSED, and the process lives on', async () => {
    const listener = await deafListener();
    try {
      const { code, out } = await runChild({ transport: 'tcp', port: listener.port });
      expectSurvivedTimeout(code, out);
    } finally {
      listener.close();
    }
  }, 20_000);
});
