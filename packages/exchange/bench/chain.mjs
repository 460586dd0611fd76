// (c) A chain of 100 computeds (c0 = a + 1, c_i = c_{i-1} + 1): set the static, read the end.
import { expectEqual } from './harness.mjs';
import { reactiveRows } from './systems.mjs';

const LENGTH = 100;
const END = `c${LENGTH - 1}`;

export const scenario = {
  id: 'c',
  name: 'chain',
  title: `chain of ${LENGTH} computeds: set + read end`,
  unit: 'ops/s',
  kind: 'rate',
  rows: (s) => reactiveRows(s, { withDefaults: true }),
};

export function autoCase(auto, options) {
  return {
    prepare() {
      const obj = { a: 0, c0: (_) => _.a + 1 };
      for (let i = 1; i < LENGTH; i++) {
        const prev = `c${i - 1}`;
        obj[`c${i}`] = (_) => _[prev] + 1;
      }
      const $ = auto(obj, options);
      let v = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          $.a = ++v;
          expectEqual($[END], v + LENGTH, 'end of chain');
        }
      };
    },
  };
}

export function preactCase({ signal, computed }) {
  return {
    prepare() {
      const a = signal(0);
      let end = computed(() => a.value + 1);
      for (let i = 1; i < LENGTH; i++) {
        const prev = end;
        end = computed(() => prev.value + 1);
      }
      let v = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          a.value = ++v;
          expectEqual(end.value, v + LENGTH, 'end of chain');
        }
      };
    },
  };
}
