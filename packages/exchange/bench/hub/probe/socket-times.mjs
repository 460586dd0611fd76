// Preloaded into every process of a run (NODE_OPTIONS="--import …/socket-times.mjs"): notes when
// each TCP socket of the process receives bytes and when a write to one starts, on the monotonic
// clock all processes share, and writes them at exit to $PROBE_DIR/<pid>-<script> (one line
// each: 1 = bytes arrived, 2 = a write started; then µs). Bounded: the first MAX_EVENTS only.
// round-trips.mjs reads them. A measuring tool only: it adds a little to every read and write.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const MAX_EVENTS = 500_000;
const kinds = new Uint8Array(MAX_EVENTS);
const times = new Float64Array(MAX_EVENTS);
let count = 0;
const now = () => Number(process.hrtime.bigint() % 1_000_000_000_000n) / 1000;
const note = (kind) => {
  if (count < MAX_EVENTS) {
    kinds[count] = kind;
    times[count++] = now();
  }
};

const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (event, ...args) {
  if (event === 'data') note(1);
  return emit.call(this, event, ...args);
};
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  note(2);
  return write.apply(this, args);
};

const dir = process.env.PROBE_DIR;
if (!dir) throw new Error('socket-times.mjs: set PROBE_DIR to the folder for the event files');
process.on('exit', () => {
  const lines = [];
  for (let i = 0; i < count; i++) lines.push(`${kinds[i]} ${times[i].toFixed(1)}`);
  const script = path.basename(process.argv[1] ?? 'node');
  writeFileSync(path.join(dir, `${process.pid}-${script}`), lines.join('\n'));
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
