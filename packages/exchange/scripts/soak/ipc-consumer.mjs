// The slow end of the IPC scenario, started by the producer (`transport: 'ipc'`) as a child
// process or a worker thread: `ipc-consumer.mjs <id> <costMicros>`. It observes `ipc.n`, spending
// `costMicros` of CPU on each (its event loop blocked, as a busy consumer's is), checks their
// order, and handles `ipc.job` requests (an async job of `ms` milliseconds).
import { exchange } from './library.mjs';

const [id, cost] = process.argv.slice(2);
const costMs = Number(cost) / 1000;
const ex = exchange({ id });
let count = 0;
let expected;
let inOrder = true;
ex.on('ipc.n', (m) => {
  const seq = m.value.seq;
  if (expected !== undefined && seq !== expected) inOrder = false;
  expected = seq + 1;
  count++;
  const until = performance.now() + costMs;
  while (performance.now() < until);
});
ex.handle('ipc.job', async (m) => {
  await new Promise((resolve) => setTimeout(resolve, m.value.ms));
  return { by: id, n: m.value.n };
});
ex.handle('ipc.report', () => ({
  count,
  inOrder,
  last: expected === undefined ? -1 : expected - 1,
}));
await ex.connect({
  transport: 'ipc',
  parent: true,
  window: Number(process.env.SOAK_IPC_WINDOW) || undefined,
});
