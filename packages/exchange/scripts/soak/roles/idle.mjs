// Many idle WebSocket clients in one process: each its own exchange, observing one name of its
// own, connected to the hub and then doing nothing.
import { exchange, memory } from '../library.mjs';

let clients = [];
/** Why connecting stopped early (a memory cap, or the harness closing everything). */
let stopped;

export const commands = {
  /**
   * Connect `count` clients, `concurrency` at a time, reporting progress every 250 ms. Stops
   * early (and says why) if this process passes `rssCapMiB`: the routes each client learns
   * grow with the number of clients, and the machine is shared.
   */
  async open({ url, count, prefix, concurrency = 200, rssCapMiB = 4096, connectTimeout }, emit) {
    const t0 = performance.now();
    let next = 0;
    let failed = 0;
    let firstError;
    stopped = undefined;
    const progress = setInterval(() => {
      const rss = process.memoryUsage.rss() / 2 ** 20;
      if (rss > rssCapMiB)
        stopped ??= `client process RSS ${rss.toFixed(0)} MiB passed its cap of ${rssCapMiB} MiB`;
      emit('progress', { connected: clients.length, failed, rss });
    }, 250);
    const worker = async () => {
      while (next < count && !stopped) {
        const id = `${prefix}${next++}`;
        const ex = exchange({ id });
        ex.on(`idle.${id}`, () => {});
        try {
          await ex.connect({
            transport: 'websocket',
            url,
            ...(connectTimeout ? { connectTimeout } : {}),
          });
          if (stopped) ex.close();
          else clients.push(ex);
        } catch (e) {
          failed++;
          firstError ??= `${e.code ?? ''} ${e.message}`;
          ex.close();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    clearInterval(progress);
    const routes = clients.length ? clients.at(-1).describe().routes.length : 0;
    return {
      connected: clients.length,
      failed,
      firstError,
      stopped,
      ms: performance.now() - t0,
      routesPerClient: routes,
      memory: memory(),
    };
  },

  /** Routes the newest connected client knows. */
  routes: () => clients.at(-1)?.describe().routes.length ?? 0,

  /** Stop connecting more (those connected stay). */
  halt() {
    stopped ??= 'halted by the harness';
  },

  /** Close every client (and stop connecting more). */
  closeAll() {
    stopped ??= 'closed by the harness';
    for (const ex of clients) ex.close();
    const n = clients.length;
    clients = [];
    return n;
  },
};
