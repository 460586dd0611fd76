// (e) Peak memory: heap used after a full gc, holding INSTANCES copies of scenario (b)'s graph
// (one static, 1,000 computeds), each set and read once so lazy structures exist too.
import { blame, collectGarbage, expectEqual, settle } from './harness.mjs';
import {
  WIDTH,
  autoGraph,
  expectedSum,
  preactGraph,
  setAndSumAuto,
  setAndSumPreact,
} from './fanout.mjs';
import { reactiveRows } from './systems.mjs';

const INSTANCES = 100;

export const scenario = {
  id: 'e',
  name: 'memory',
  title: `heap after gc: ${INSTANCES} graphs of 1 static → ${WIDTH.toLocaleString('en')} computeds`,
  unit: 'bytes/graph',
  kind: 'memory',
  instances: INSTANCES,
  rows: (s) => reactiveRows(s),
};

export function autoCase(auto, options) {
  return {
    build() {
      const graph = autoGraph(auto, options);
      expectEqual(setAndSumAuto(graph, 7), expectedSum(7), 'sum of computeds');
      return graph;
    },
  };
}

export function preactCase(preact) {
  return {
    build() {
      const graph = preactGraph(preact);
      expectEqual(setAndSumPreact(graph, 7), expectedSum(7), 'sum of computeds');
      return graph;
    },
  };
}

const heapUsed = () => process.memoryUsage().heapUsed;

/** Bytes of heap one graph holds, from the growth over INSTANCES live graphs. */
function bytesPerGraph(build) {
  collectGarbage();
  const before = heapUsed();
  const live = [];
  for (let i = 0; i < INSTANCES; i++) live.push(build());
  collectGarbage();
  const after = heapUsed();
  expectEqual(live.length, INSTANCES, 'graphs held'); // keeps `live` alive past the measurement
  return (after - before) / INSTANCES;
}

/** Samples (bytes per graph) for each case, round-robin over `runs`. */
export async function measureHeap(cases, { runs }) {
  for (const c of cases) blame(c, c.build); // compile and warm each library's code outside the measurement
  const samples = cases.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < cases.length; i++) {
      samples[i].push(blame(cases[i], () => bytesPerGraph(cases[i].build)));
      await settle();
    }
  }
  return samples;
}
