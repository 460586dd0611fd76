/**
 * The TCP transport: newline-delimited JSON over a plain socket (or a Unix socket), for clients
 * without a WebSocket library: one line is one transport message, a JSON array of frames.
 */
import type { Transport } from '../../exchange/index.js';
import { connect, type TcpConnectOptions } from './client.js';
import { listen, type TcpListenOptions } from './server.js';

declare module '../../exchange/transports.js' {
  interface ConnectOptionsMap {
    tcp: TcpConnectOptions;
  }
  interface ListenOptionsMap {
    tcp: TcpListenOptions;
  }
}

/** The transport as registered under `tcp`. */
export const tcpTransport: Transport = {
  connect: (options) => connect(options as unknown as TcpConnectOptions),
  listen: (options, accept) => listen(options as unknown as TcpListenOptions, accept),
};

export { connect, listen };
export type { TcpConnectOptions, TcpListenOptions };
export type { TcpReconnectPolicy } from './client.js';
