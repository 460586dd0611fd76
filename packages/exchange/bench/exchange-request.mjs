// (r) Request/reply: round trips per second from one requester to a handler one hop away
// (`await a.request('echo', v)`, the handler in b returns v + 1), one at a time and with
// IN_FLIGHT requests outstanding; the same over Node's EventEmitter, where a request emits its
// value with an id and the reply comes back as a second event that resolves the request's promise.
//
// The EventEmitter version is a floor, not an equal: it is synchronous (the reply is emitted before
// `emit` returns; only the promise resolution waits for a microtask), and it has no timeout timer,
// no routing and no trace. There is no closer request/reply in Node's standard library.
import { BenchError, expectEqual } from './harness.mjs';
import { line, loadExchange } from './exchange.mjs';

/** Requests outstanding at once in the concurrent rows. */
export const IN_FLIGHT = 100;

export const scenario = {
  id: 'r',
  name: 'request',
  title: 'request/reply round trips, handler one hop away (local transport)',
  unit: 'req/s',
  kind: 'rate',
  base: 'emitter1',
  rows: (s) => [
    { key: 'seq', label: 'ours, sequential: await a.request', make: (m) => m.requestCase(1) },
    {
      key: 'inflight',
      label: `ours, ${IN_FLIGHT} in flight`,
      make: (m) => m.requestCase(IN_FLIGHT),
    },
    {
      key: 'emitter1',
      label: 'node EventEmitter request/reply, sequential',
      make: (m) => m.emitterCase(s.EventEmitter, 1),
    },
    {
      key: 'emitterN',
      label: `node EventEmitter request/reply, ${IN_FLIGHT} in flight`,
      make: (m) => m.emitterCase(s.EventEmitter, IN_FLIGHT),
    },
  ],
};

/**
 * `run(n)`: n requests through `request(value)`, by `lanes` loops that each await one reply before
 * sending the next (so `lanes` requests are outstanding); checks the sum of the replies.
 */
function runInLanes(request, lanes) {
  let v = 0;
  return async (n) => {
    let started = 0;
    let sum = 0;
    let expected = 0;
    const lane = async () => {
      while (started < n) {
        started++;
        const value = ++v;
        expected += value + 1;
        const reply = await request(value);
        sum += reply; // not `sum += await …`, which would read sum before the await
      }
    };
    const loops = [];
    for (let i = Math.min(lanes, n); i > 0; i--) loops.push(lane());
    try {
      await Promise.all(loops);
    } catch (error) {
      // A lost request or reply surfaces as a timeout (or another ExchangeError): a wrong result.
      throw error instanceof BenchError ? error : new BenchError(`request failed: ${error}`);
    }
    expectEqual(started, n, 'requests sent');
    expectEqual(sum, expected, 'sum of replies');
  };
}

export function requestCase(lanes) {
  return {
    async prepare({ distUrl }) {
      const exchange = await loadExchange(distUrl);
      const [requester] = await line(exchange, 1, (handler) =>
        handler.handle('echo', (msg) => msg.value + 1),
      );
      return runInLanes((value) => requester.request('echo', value), lanes);
    },
  };
}

export function emitterCase(EventEmitter, lanes) {
  return {
    prepare() {
      const ee = new EventEmitter();
      const waiting = new Map();
      let ids = 0;
      ee.on('echo', (id, value) => ee.emit('echo.reply', id, value + 1));
      ee.on('echo.reply', (id, value) => {
        const resolve = waiting.get(id);
        waiting.delete(id);
        resolve(value);
      });
      const request = (value) =>
        new Promise((resolve) => {
          const id = ids++;
          waiting.set(id, resolve);
          ee.emit('echo', id, value);
        });
      return runInLanes(request, lanes);
    },
  };
}
