// The hub of the request scenario for the WebSocket, TCP and HTTP transports: the real hub
// (WebSocket + HTTP) with a TCP listener, and a responder behind it.
import { startRouter } from '../network.mjs';

let router;
export const commands = {
  async start() {
    router = await startRouter();
    return { wsUrl: router.hub.wsUrl, httpUrl: router.hub.url, tcpPort: router.tcpPort };
  },
  close: () => router?.hub.close(),
};
