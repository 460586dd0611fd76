// (b) One static with 1,000 dependent computeds: set the static, then read every computed.
// The graph builders are shared with memory.mjs, which holds 100 of these graphs.
import { expectEqual } from './harness.mjs';
import { reactiveRows } from './systems.mjs';

export const WIDTH = 1000;

export const scenario = {
  id: 'b',
  name: 'fanout',
  title: `1 static → ${WIDTH.toLocaleString('en')} computeds: set + read all`,
  unit: 'ops/s',
  kind: 'rate',
  rows: (s) => reactiveRows(s),
};

/** The sum of every computed (c_i = a + i) when a = v. */
export const expectedSum = (v) => WIDTH * v + (WIDTH * (WIDTH - 1)) / 2;

/** An auto object `{ a, c0 … c999 }` with c_i = a + i, plus its computeds' names. */
export function autoGraph(auto, options) {
  const obj = { a: 0 };
  for (let i = 0; i < WIDTH; i++) obj[`c${i}`] = (_) => _.a + i;
  return { $: auto(obj, options), names: Object.keys(obj).slice(1) };
}

export function setAndSumAuto({ $, names }, v) {
  $.a = v;
  let sum = 0;
  for (let i = 0; i < names.length; i++) sum += $[names[i]];
  return sum;
}

/** A preact signal `a` and computeds c_i = a + i. */
export function preactGraph({ signal, computed }) {
  const a = signal(0);
  const cs = [];
  for (let i = 0; i < WIDTH; i++) cs.push(computed(() => a.value + i));
  return { a, cs };
}

export function setAndSumPreact({ a, cs }, v) {
  a.value = v;
  let sum = 0;
  for (let i = 0; i < cs.length; i++) sum += cs[i].value;
  return sum;
}

export function autoCase(auto, options) {
  return {
    prepare() {
      const graph = autoGraph(auto, options);
      let v = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          v++;
          expectEqual(setAndSumAuto(graph, v), expectedSum(v), 'sum of computeds');
        }
      };
    },
  };
}

export function preactCase(preact) {
  return {
    prepare() {
      const graph = preactGraph(preact);
      let v = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          v++;
          expectEqual(setAndSumPreact(graph, v), expectedSum(v), 'sum of computeds');
        }
      };
    },
  };
}
