/**
 * `exchange` in a browser: the same API as the Node entry, with the WebSocket transport over the
 * browser's native `WebSocket` (connect only: a page cannot listen). Nothing here imports a Node
 * built-in; a transport that needs Node (`tcp`, `ipc`) fails with `UNKNOWN_TRANSPORT`.
 * Bundlers pick this module through the `browser` export condition; `exchange/browser` names it
 * outright. See docs/browser.md.
 *
 * @example
 * import { exchange } from 'exchange';
 * const app = exchange({ id: 'browser' });
 * await app.connect({ transport: 'websocket', url: 'ws://127.0.0.1:4860/' });
 * await app.request('users.list'); // ['ada', 'linus'], from whoever handles it behind the hub
 */
import { connectors } from './exchange/exchange.js';
import { registerTransport } from './exchange/transports.js';
import { localLinkPair } from './transports/local/local.js';
import { httpTransport } from './transports/http/client.js';
import { browserWebSocketTransport } from './transports/ws/browser.js';

connectors.local = () => localLinkPair();
// Registered outright, not loaded on first use as on Node: it is small, and a lazy import
// would make bundlers split it into a chunk of its own.
registerTransport('websocket', browserWebSocketTransport);
// fetch and Server-Sent Events only: a page can join a hub through HTTP alone.
registerTransport('http', httpTransport);

export * from './public.js';
