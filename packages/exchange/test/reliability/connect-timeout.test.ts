// Found by the idle-clients soak (docs/reliability.md, "Findings"): when a WebSocket connection
// attempt passes `connectTimeout` (a hub too busy to answer the upgrade), the client process
// crashes with an unhandled 'error' event instead of the attempt failing. The reconnect code
// calls `socket.close()` on the still-connecting `ws` socket, which emits 'error' on the next
// tick, and has already removed its error handler by then. Run in a child process of the built
// package: the crash would take the test runner's worker with it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = process.env.EXCHANGE_DIST
  ? pathToFileURL(process.env.EXCHANGE_DIST.replace(/\/?$/, '/'))
  : new URL('../../dist/', import.meta.url);

// A TCP server that accepts and never answers the upgrade; one connect with a 300 ms timeout.
const CHILD = `
import net from 'node:net';
const { exchange } = await import(${JSON.stringify(new URL('index.js', DIST).href)});
const server = net.createServer(() => {}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = 'ws://127.0.0.1:' + server.address().port + '/';
try {
  await exchange({ id: 'c' }).connect({ transport: 'websocket', url, connectTimeout: 300 });
} catch (e) {
  console.log('rejected ' + e.code);
}
setTimeout(() => process.exit(0), 300);
`;

function runChild(): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

describe('websocket connectTimeout', () => {
  // Without the build, the child fails for another reason and the expected failure means nothing.
  it('the built package is there (npm run build)', () => {
    expect(existsSync(fileURLToPath(new URL('index.js', DIST)))).toBe(true);
  });

  // Was a known failure (finding 5) until the reconnect code kept a no-op error listener.
  it('a connect timeout rejects with TRANSPORT_CLOSED, and the process lives on', async () => {
    const { code, out } = await runChild();
    expect(out).toContain('rejected TRANSPORT_CLOSED');
    expect(code).toBe(0);
  }, 20_000);
});
