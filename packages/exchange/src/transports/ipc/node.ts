/**
 * The IPC transport: an exchange in a parent process linked to one in a child process
 * (`child_process.fork`) or a worker thread, with credit-based flow control (the channels have
 * no backpressure of their own) and exits noticed at once.
 */
import type { Transport } from '../../exchange/index.js';
import type { IpcLink } from './ipc-link.js';
import { connectToParent, type IpcParentOptions } from './parent.js';
import { spawnChild, type IpcSpawnOptions } from './spawn.js';

/**
 * Options of `ex.connect({ transport: 'ipc', … })`: in the parent, `script` (and `worker`) to
 * start one; in the child or worker, `parent: true`.
 */
export type IpcConnectOptions = IpcSpawnOptions | IpcParentOptions;

declare module '../../exchange/transports.js' {
  interface ConnectOptionsMap {
    ipc: IpcConnectOptions;
  }
}

/**
 * Start a child process or worker and link to it (`script`), or link to the parent (`parent`).
 * @param options - `{ script, worker?, args?, env?, … }` or `{ parent: true }`.
 * @returns the link, once both sides have opened the channel.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if the other side is not there or does not answer.
 */
export function connect(options: IpcConnectOptions): Promise<IpcLink> {
  return options.parent === true ? connectToParent(options) : spawnChild(options);
}

/** The transport as registered under `ipc` (it only connects: the parent starts the child). */
export const ipcTransport: Transport = {
  connect: (options) => connect(options as unknown as IpcConnectOptions),
};

export type { IpcParentOptions, IpcSpawnOptions };
