// The Exchange hub: ours. Its WebSocket transport is not written yet, so this entry only reports
// why it is skipped. Once `dist/transports/ws/` exists, fill in `startHub` (the hub in a process of
// its own, like ../servers/ws-relay.mjs: fork a script that reports `{ type: 'listening', port }`
// over IPC, via startNodeHub) and `connect` (a client exposing the HubClient methods of
// ./index.mjs), then return null from `unavailable` when the build is there.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WS_TRANSPORT = 'transports/ws/';

const notWritten = () => {
  throw new Error('the exchange adapter is not written yet (bench/hub/systems/exchange.mjs)');
};

/** @type {import('./index.mjs').HubSystem} */
export const system = {
  key: 'exchange',
  label: 'exchange (ours)',
  unavailable({ distUrl }) {
    const folder = fileURLToPath(new URL(WS_TRANSPORT, distUrl));
    if (!existsSync(folder)) {
      return `not built yet (${path.relative(process.cwd(), folder) || folder} does not exist)`;
    }
    return `not benchmarked yet: ${WS_TRANSPORT} is built, but bench/hub/systems/exchange.mjs has no adapter`;
  },
  startHub: notWritten,
  connect: notWritten,
  payload: notWritten,
  seqOf: notWritten,
};
