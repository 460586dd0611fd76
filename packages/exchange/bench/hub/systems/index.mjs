// The systems a hub scenario compares. Each is one module in this folder exporting `system`, a
// small adapter; adding a system (the Exchange hub, once its WebSocket transport exists) is one
// more module and one more key below. The runner uses `unavailable` and `startHub` in its own
// process; every client process imports the one module it drives and uses the rest.
//
// @typedef {object} HubSystem
// @property {string} key      id in options, JSON and client configs: 'nats', 'ws', …
// @property {string} label    name in the table
// @property {Record<string, string>} [notes]  caveats printed under the tables, by scenario group
// @property {(env: { distUrl: URL }) => string | null} unavailable
//           why the system cannot run here (printed as the row), or null
// @property {(init: { timeoutMs: number }) => Promise<Hub>} startHub
//           start the hub in a process of its own, on 127.0.0.1
// @property {(init: { port: number, timeoutMs: number }) => Promise<HubClient>} connect
//           one client connection (in a client process)
// @property {(seq: number, size: number) => unknown} payload   the message with sequence number seq
// @property {(payload: unknown, size: number) => number} seqOf  its sequence number, -1 if malformed
//
// @typedef {object} Hub
// @property {number} port
// @property {number} pid             the process whose RSS is the hub's memory (S4)
// @property {() => Promise<void>} stop
//
// @typedef {object} HubClient
// @property {(subject: string, payload: unknown) => void} publish   fire and forget
// @property {(subject: string, handler: (payload: unknown) => void) => Promise<void>} subscribe
//           resolves once the hub has the subscription
// @property {(subject: string, handler: (payload: unknown) => unknown) => Promise<void>} respond
//           serve requests on subject with a synchronous handler; resolves once the hub knows
// @property {(subject: string, payload: unknown) => Promise<unknown>} request   the reply's payload
// @property {() => Promise<void>} flush
//           resolves once the hub has processed everything this client sent before (a round trip)
// @property {() => Promise<void>} close

/** Every system, in table order: ours first, then the references. */
export const SYSTEM_KEYS = ['exchange', 'nats', 'ws', 'socketio'];

/** The reference systems that ratio columns compare against, in column order. */
export const REFERENCE_KEYS = ['ws', 'nats', 'socketio'];

/** @returns {Promise<HubSystem>} */
export async function loadSystem(key) {
  if (!SYSTEM_KEYS.includes(key)) throw new Error(`unknown system ${key}`);
  const { system } = await import(new URL(`${key}.mjs`, import.meta.url).href);
  return system;
}
