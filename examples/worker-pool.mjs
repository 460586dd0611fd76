// A pool of worker threads behind one exchange: the main thread starts four workers with the ipc
// transport, each handling `jobs.run`, and asks for twelve jobs. Equal handlers share the load
// (round-robin is the default `balance`), so each worker serves three. Prints who served what
// and checks it: wrong results or an uneven balance exit with code 1, so running this is a test.
// Run: npm run build && node examples/worker-pool.mjs
import { isMainThread } from 'node:worker_threads';
import { exchange } from 'exchange';

const WORKERS = 4;
const JOBS = 12;

/** The work: the sum of the squares 1² + … + n². */
const sumOfSquares = (n) => (n * (n + 1) * (2 * n + 1)) / 6;

if (!isMainThread) {
  // This same file, run as a worker: its id came as an argument.
  const id = process.argv[2];
  const worker = exchange({
    id,
    handlers: {
      'jobs.run': (msg) => {
        let sum = 0;
        for (let k = 1; k <= msg.value.n; k++) sum += k * k;
        return { worker: id, sum };
      },
    },
  });
  await worker.connect({ transport: 'ipc', parent: true });
} else {
  const main = exchange({ id: 'main' });
  const ids = Array.from({ length: WORKERS }, (_, i) => `worker-${i}`);
  await Promise.all(
    ids.map((id) =>
      main.connect({
        transport: 'ipc',
        script: new URL(import.meta.url),
        worker: true,
        args: [id],
      }),
    ),
  );
  console.log(`main linked to ${main.describe().peers.join(', ')}`);

  const jobs = Array.from({ length: JOBS }, (_, i) => 1000 + i);
  const replies = await Promise.all(jobs.map((n) => main.request('jobs.run', { n })));
  const served = new Map(ids.map((id) => [id, 0]));
  let wrong = 0;
  replies.forEach(({ worker, sum }, i) => {
    const ok = sum === sumOfSquares(jobs[i]);
    if (!ok) wrong++;
    served.set(worker, (served.get(worker) ?? 0) + 1);
    console.log(`jobs.run n=${jobs[i]} → ${worker}: ${sum}${ok ? '' : ' WRONG'}`);
  });
  const counts = [...served].map(([id, n]) => `${id} ${n}`).join(', ');
  console.log(`served: ${counts}`);

  main.close(); // closes the links; the workers, with nothing left to do, exit
  const even = [...served.values()].every((n) => n === JOBS / WORKERS);
  if (wrong > 0 || !even || served.size !== WORKERS) {
    console.error(`FAILED: ${wrong} wrong results; balance ${counts}`);
    process.exit(1);
  }
  console.log('ok');
}
