/**
 * `exchange/ipc`: the IPC transport between a parent and its child processes or worker threads.
 * Importing `exchange` registers it already (loaded on first use) as `ipc`; this entry is for its
 * pieces (the `IpcLink` class, its options and flow-control figures).
 *
 * @example
 * // main.mjs
 * import { exchange } from 'exchange';
 * const main = exchange({ id: 'main' });
 * const peer = await main.connect({ transport: 'ipc', script: './worker.mjs', worker: true });
 * await peer.request('jobs.run', { n: 3 }); // 9
 *
 * // worker.mjs
 * import { exchange } from 'exchange';
 * const worker = exchange({ id: 'worker', handlers: { 'jobs.run': (m) => m.value.n ** 2 } });
 * await worker.connect({ transport: 'ipc', parent: true });
 */
export { connect, ipcTransport } from './node.js';
export { IpcLink } from './ipc-link.js';

export type { IpcConnectOptions, IpcParentOptions, IpcSpawnOptions } from './node.js';
export type { IpcLinkOptions } from './ipc-link.js';
export type { FlowStats } from './credit-carrier.js';
