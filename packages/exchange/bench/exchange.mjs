// (x) Exchange delivery: messages per second from a sender to one observer through 1 and 3 hops of
// in-process exchanges over the local transport, built with the public API of the build
// (`exchange({ id })`, `connect`, `on`, `send`); Node's EventEmitter with one listener alongside.
//
// The local transport delivers asynchronously (a link queues frames and hands them over together on
// a microtask), so `run(n)` sends in bursts of BURST and waits after each until the whole burst has
// arrived; the count and the sum of the values received are checked.
import { BenchError, expectEqual } from './harness.mjs';

/** Messages sent before waiting for all of them to arrive (below the link's congestion mark). */
export const BURST = 1000;
/** A burst that has not arrived by then never will: a message was lost. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export const scenario = {
  id: 'x',
  name: 'exchange',
  title: `messages through in-process exchanges (local transport), bursts of ${BURST.toLocaleString('en')}`,
  unit: 'msg/s',
  kind: 'rate',
  base: 'emitter',
  rows: (s) => [
    { key: 'hop1', label: 'ours, 1 hop: a.send → b.on', make: (m) => m.hopsCase(1) },
    { key: 'hop3', label: 'ours, 3 hops: a → b → c → d.on', make: (m) => m.hopsCase(3) },
    {
      key: 'emitter',
      label: 'node EventEmitter.emit, 1 listener',
      make: (m) => m.emitterCase(s.EventEmitter),
    },
  ],
};

/** The library's `exchange` factory, from the build being measured. */
export async function loadExchange(distUrl) {
  const library = await import(new URL('index.js', distUrl).href);
  return library.exchange;
}

/**
 * `hops + 1` exchanges in a line, `setup` run on the last one first. They connect from the far
 * end, so each hello already carries the routes beyond: no waiting for adverts.
 */
export async function line(exchange, hops, setup) {
  const nodes = Array.from({ length: hops + 1 }, (_, i) => exchange({ id: `n${i}` }));
  setup(nodes[hops]);
  for (let i = hops; i > 0; i--) {
    await nodes[i - 1].connect({ transport: 'local', exchange: nodes[i] });
  }
  return nodes;
}

export function hopsCase(hops) {
  return {
    async prepare({ distUrl }) {
      const exchange = await loadExchange(distUrl);
      let count = 0;
      let sum = 0;
      let want = 0;
      let arrived = () => {};
      const nodes = await line(exchange, hops, (last) =>
        last.on('tick', (msg) => {
          sum += msg.value;
          if (++count === want) arrived();
        }),
      );
      const sender = nodes[0];
      let v = 0;
      return async (n) => {
        count = 0;
        sum = 0;
        let expected = 0;
        let lost = () => {};
        const watchdog = setTimeout(() => lost(), DELIVERY_TIMEOUT_MS);
        for (let sent = 0; sent < n; sent = want) {
          want = Math.min(sent + BURST, n);
          const delivered = new Promise((resolve, reject) => {
            arrived = resolve;
            lost = () => {
              const late = `${want - count} of the batch's first ${want} messages`;
              reject(new BenchError(`${late} not received after ${DELIVERY_TIMEOUT_MS} ms`));
            };
          });
          for (let k = sent; k < want; k++) {
            sender.send('tick', ++v);
            expected += v;
          }
          await delivered;
        }
        clearTimeout(watchdog);
        expectEqual(count, n, 'messages received');
        expectEqual(sum, expected, 'sum of values received');
      };
    },
  };
}

export function emitterCase(EventEmitter) {
  return {
    prepare() {
      const ee = new EventEmitter();
      let count = 0;
      let sum = 0;
      ee.on('tick', (value) => {
        count++;
        sum += value;
      });
      let v = 0;
      return (n) => {
        count = 0;
        sum = 0;
        let expected = 0;
        for (let i = 0; i < n; i++) {
          ee.emit('tick', ++v);
          expected += v;
        }
        expectEqual(count, n, 'messages received');
        expectEqual(sum, expected, 'sum of values received');
      };
    },
  };
}
