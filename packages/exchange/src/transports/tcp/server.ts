import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Link, Listener } from '../../exchange/index.js';
import { FramedLink, linkOptions } from '../../transport/index.js';
import { lineCarrier } from './line-carrier.js';

/** Options of a TCP listener (`ex.listen({ transport: 'tcp', port, … })`). */
export interface TcpListenOptions {
  /** Port to listen on (0 picks a free one; see the listener's `port`). @default 0 */
  port?: number;
  /** Address to bind. @default '127.0.0.1' (loopback only: pass '0.0.0.0' to accept others) */
  host?: string;
  /** Listen on a Unix socket (or Windows named pipe) at this path instead of a port. */
  path?: string;
  /** Longest line accepted from a peer, in bytes. @default 1 MiB */
  maxBytes?: number;
  /** Heartbeat interval to propose, in ms (0: none). @default 15000 */
  heartbeat?: number;
  /** Frames held per peer while its socket is backed up; overflow refuses the newest. @default 10000 */
  maxQueued?: number;
  /**
   * A peer that keeps its link full (frames refused at `maxQueued`) this long is a slow consumer:
   * it is sent a `bye` with `CONGESTED` and disconnected (0: never). @default 10000
   */
  slowConsumerTimeout?: number;
}

const DEFAULT_MAX_BYTES = 1_048_576;
/** How long `close()` waits for peers to hang up after the bye before cutting them off. */
const CLOSE_WAIT_MS = 1000;

/**
 * Accept TCP (or Unix socket) peers speaking newline-delimited JSON; each becomes a link handed
 * to `accept`.
 * @param options - where to listen, and each link's limits.
 * @param accept - called with each new link, before its first byte is read.
 * @returns the running listener (`url` is `tcp://host:port` or `unix:path`).
 * @throws {Error} the socket's error if it cannot listen (e.g. `EADDRINUSE`).
 */
export async function listen(
  options: TcpListenOptions,
  accept: (link: Link) => void,
): Promise<Listener> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const links = new Set<FramedLink>();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const link = new FramedLink({
      role: 'acceptor',
      codecs: ['json'],
      maxBytes,
      ...linkOptions(options, ['heartbeat', 'maxQueued', 'slowConsumerTimeout']),
      onShut: () => links.delete(link),
    });
    links.add(link);
    accept(link);
    link.use(lineCarrier(socket, maxBytes));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      resolve();
    };
    if (options.path !== undefined) server.listen(options.path, ready);
    else server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ready);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address : undefined;
  return {
    transport: 'tcp',
    url: port ? `tcp://${hostOf(port)}:${port.port}` : `unix:${options.path}`,
    ...(port ? { port: port.port } : {}),
    close: async () => {
      for (const link of [...links]) link.close('listener closed');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Each link ended its socket after its bye, and the socket closes when the peer has read
      // it and hung up too (so a peer has seen the bye when this resolves). A peer that does not
      // hang up is cut off.
      const cutOff = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, CLOSE_WAIT_MS);
      await closed;
      clearTimeout(cutOff);
    },
  };
}

function hostOf(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}
