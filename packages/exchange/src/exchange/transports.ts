/**
 * The transport registry: `ex.connect({ transport, ... })` and `ex.listen({ transport, ... })`
 * find the transport by name here. Transports live in layers above the exchange and register
 * themselves (the package entry registers the built-in ones, loading each on first use), so the
 * exchange never imports one.
 */
import { ExchangeError } from './errors.js';
import type { Link } from './link.js';

/**
 * Transport name → its `connect` options. Each transport adds its entry by declaration merging,
 * which types `ex.connect`: `{ transport: 'websocket', url: … }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ConnectOptionsMap {}

/** Transport name → its `listen` options (declaration merging, like ConnectOptionsMap). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ListenOptionsMap {}

/** Options of one transport's `connect`, by its name. */
export type ConnectOptionsOf<K extends keyof ConnectOptionsMap> = {
  transport: K;
} & ConnectOptionsMap[K];
/** Options of one transport's `listen`, by its name. */
export type ListenOptionsOf<K extends keyof ListenOptionsMap> = {
  transport: K;
} & ListenOptionsMap[K];

/** `ex.listen` options: any registered transport's. */
export type ListenOptions = {
  [K in keyof ListenOptionsMap]: ListenOptionsOf<K>;
}[keyof ListenOptionsMap];

/** A running listener: where it accepts connections, and how to stop it. */
export interface Listener {
  readonly transport: string;
  /** Where peers connect, e.g. `ws://127.0.0.1:4860/`. */
  readonly url: string;
  /** The port, for socket transports. */
  readonly port?: number | undefined;
  /** Stop accepting and close the connections it accepted. */
  close(): Promise<void>;
}

/** What a transport offers: making links to peers, accepting them, or both. */
export interface Transport {
  /** Open a link to a peer; resolves once the connection is up (before the hello). */
  connect?(options: { transport: string }): Promise<Link>;
  /** Accept links; `accept` is called with each (the exchange adopts it). */
  listen?(options: { transport: string }, accept: (link: Link) => void): Promise<Listener>;
}

type Loader = () => Promise<Transport>;
const registry = new Map<string, Transport | Loader>();

/** Register a transport, or a loader that imports it on first use. Replaces one of that name. */
export function registerTransport(name: string, transport: Transport | Loader): void {
  registry.set(name, transport);
}

/**
 * The transport registered as `name`.
 * @throws {ExchangeError} `UNKNOWN_TRANSPORT` naming the ones there are.
 */
export async function findTransport(name: string): Promise<Transport> {
  const entry = registry.get(name);
  if (entry === undefined) {
    const known = [...registry.keys()].map((k) => `'${k}'`).join(', ');
    throw new ExchangeError(
      'UNKNOWN_TRANSPORT',
      `no transport '${name}' here (known: ${known || 'none'}); in a browser only the browser ` +
        'transports exist, and a transport of your own is added with registerTransport',
      { data: { transport: name } },
    );
  }
  if (typeof entry !== 'function') return entry;
  const transport = await entry();
  registry.set(name, transport);
  return transport;
}
