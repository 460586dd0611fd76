// (d) Boot: build a graph of one static and 1,000 computeds (c_i = a + i), then read every
// computed once. Auto computes every value while it boots; preact computes lazily, so the reads
// are where its work happens. A last row shows preact's build alone, for reference.
import { expectEqual } from './harness.mjs';
import { reactiveRows } from './systems.mjs';

const WIDTH = 1000;
const NAMES = Array.from({ length: WIDTH }, (_, i) => `c${i}`);
const SUM_AT_ZERO = (WIDTH * (WIDTH - 1)) / 2;

export const scenario = {
  id: 'd',
  name: 'boot',
  title: `boot of ${WIDTH.toLocaleString('en')} computeds, then read each once`,
  unit: 'ms/build',
  kind: 'time',
  rows: (s) => [
    ...reactiveRows(s),
    {
      key: 'preact-lazy',
      label: `preact-signals ${s.versions.preact}, build only (computes nothing)`,
      make: (m) => m.preactBuildOnlyCase(s.preact),
    },
  ],
};

export function autoCase(auto, options) {
  return {
    prepare: () => (n) => {
      for (let k = 0; k < n; k++) {
        const obj = { a: 0 };
        for (let i = 0; i < WIDTH; i++) obj[NAMES[i]] = (_) => _.a + i;
        const $ = auto(obj, options);
        let sum = 0;
        for (let i = 0; i < WIDTH; i++) sum += $[NAMES[i]];
        expectEqual(sum, SUM_AT_ZERO, 'sum of computeds');
      }
    },
  };
}

export function preactCase({ signal, computed }) {
  return {
    prepare: () => (n) => {
      for (let k = 0; k < n; k++) {
        const a = signal(0);
        const cs = new Array(WIDTH);
        for (let i = 0; i < WIDTH; i++) cs[i] = computed(() => a.value + i);
        let sum = 0;
        for (let i = 0; i < WIDTH; i++) sum += cs[i].value;
        expectEqual(sum, SUM_AT_ZERO, 'sum of computeds');
      }
    },
  };
}

export function preactBuildOnlyCase({ signal, computed }) {
  return {
    prepare: () => (n) => {
      for (let k = 0; k < n; k++) {
        const a = signal(0);
        const cs = new Array(WIDTH);
        for (let i = 0; i < WIDTH; i++) cs[i] = computed(() => a.value + i);
        expectEqual(cs.length, WIDTH, 'computeds built');
      }
    },
  };
}
