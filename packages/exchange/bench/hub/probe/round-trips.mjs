// Round trips at each client's socket from socket-times.mjs's files: for every process that
// wrote and then received at least MIN_PAIRS times (a requester), the median time from a write to
// the next bytes arriving, per 1,000 round trips from the first. Shows how long a system takes
// to warm up (bench/README.md, "Warm-up of sequential requests").
//
//   node packages/exchange/bench/hub/probe/round-trips.mjs DIR
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const PER = 1000;
const MIN_PAIRS = 5 * PER;
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node round-trips.mjs DIR (the PROBE_DIR of a run with socket-times.mjs)');
  process.exit(2);
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

for (const file of readdirSync(dir).filter((f) => f.endsWith('client.mjs'))) {
  const trips = [];
  let wrote;
  for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    const [kind, time] = line.split(' ').map(Number);
    if (kind === 2) wrote ??= time;
    else if (kind === 1 && wrote !== undefined) {
      trips.push(time - wrote);
      wrote = undefined;
    }
  }
  if (trips.length < MIN_PAIRS) continue;
  const medians = [];
  for (let i = 0; i + PER <= trips.length; i += PER) medians.push(median(trips.slice(i, i + PER)));
  console.log(
    `${file}: ${trips.length} round trips; µs per ${PER}: ${medians.map((m) => m.toFixed(0)).join(' ')}`,
  );
}
