// (k) Kernel dispatch: signals per second through one handler that computes value + 1, via our
// kernel (immediate handler through `k.sig` and through a bound channel; queued handler through
// `k.sig` with a drain every QUEUE_DRAIN signals) and via Node's EventEmitter with one listener.
import { expectEqual } from './harness.mjs';

const QUEUE_DRAIN = 128;

export const scenario = {
  id: 'k',
  name: 'kernel',
  title: 'kernel dispatch to one handler',
  unit: 'signals/s',
  kind: 'rate',
  base: 'emitter',
  rows: (s) => [
    { key: 'sig', label: 'ours, immediate, k.sig(name, v)', make: (m) => m.sigCase(s.ours.kernel) },
    {
      key: 'channel',
      label: 'ours, immediate, channel(v)',
      make: (m) => m.channelCase(s.ours.kernel),
    },
    {
      key: 'queued',
      label: `ours, queued, k.sig + drain every ${QUEUE_DRAIN}`,
      make: (m) => m.queuedCase(s.ours.kernel),
    },
    { key: 'emitter', label: 'node EventEmitter.emit', make: (m) => m.emitterCase(s.EventEmitter) },
  ],
};

export function sigCase(kernel) {
  return {
    prepare() {
      const k = kernel();
      k.handle('inc', (x) => x + 1, { immediate: true });
      let v = 0;
      return (n) => {
        let sum = 0;
        let expected = 0;
        for (let i = 0; i < n; i++) {
          sum += k.sig('inc', ++v);
          expected += v + 1;
        }
        expectEqual(sum, expected, 'sum of results');
      };
    },
  };
}

export function channelCase(kernel) {
  return {
    prepare() {
      const k = kernel();
      k.handle('inc', (x) => x + 1, { immediate: true });
      const inc = k.channel('inc');
      let v = 0;
      return (n) => {
        let sum = 0;
        let expected = 0;
        for (let i = 0; i < n; i++) {
          sum += inc(++v);
          expected += v + 1;
        }
        expectEqual(sum, expected, 'sum of results');
      };
    },
  };
}

export function queuedCase(kernel) {
  return {
    prepare() {
      const k = kernel();
      let sum = 0;
      k.handle('inc', (x) => {
        sum += x + 1;
      });
      let v = 0;
      return (n) => {
        sum = 0;
        let expected = 0;
        for (let i = 0; i < n; i++) {
          k.sig('inc', ++v);
          expected += v + 1;
          if (i % QUEUE_DRAIN === QUEUE_DRAIN - 1) k.drain();
        }
        k.drain();
        expectEqual(sum, expected, 'sum delivered');
      };
    },
  };
}

export function emitterCase(EventEmitter) {
  return {
    prepare() {
      const ee = new EventEmitter();
      let sum = 0;
      ee.on('inc', (x) => {
        sum += x + 1;
      });
      let v = 0;
      return (n) => {
        sum = 0;
        let expected = 0;
        for (let i = 0; i < n; i++) {
          ee.emit('inc', ++v);
          expected += v + 1;
        }
        expectEqual(sum, expected, 'sum delivered');
      };
    },
  };
}
