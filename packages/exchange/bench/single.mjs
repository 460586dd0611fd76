// (a) One static with one dependent computed: set the static, then read the computed.
import { expectEqual } from './harness.mjs';
import { reactiveRows } from './systems.mjs';

export const scenario = {
  id: 'a',
  name: 'single',
  title: '1 static → 1 computed: set + read',
  unit: 'sets/s',
  kind: 'rate',
  rows: (s) => reactiveRows(s, { withDefaults: true }),
};

export function autoCase(auto, options) {
  return {
    prepare() {
      const $ = auto({ a: 0, b: (_) => _.a + 1 }, options);
      let v = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          $.a = ++v;
          expectEqual($.b, v + 1, 'b');
        }
      };
    },
  };
}

export function preactCase({ signal, computed }) {
  return {
    prepare() {
      const a = signal(0);
      const b = computed(() => a.value + 1);
      let v = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          a.value = ++v;
          expectEqual(b.value, v + 1, 'b');
        }
      };
    },
  };
}
