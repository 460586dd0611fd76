// (w) Wire codecs: encode + decode of 100-frame batches of realistic `msg` envelopes, json
// against msgpack and msgpack-compact, with 64 B and 1 KiB values: frames per second, and bytes per frame on the
// wire. Reads the build (`npm run build` first).
//
// In the suite: `node --expose-gc bench/run.mjs --only=codec`. On its own, with encode and
// decode apart: `node --expose-gc bench/codec.mjs [--runs=5] [--budget=400] [--warmup=300]
// [--dist=path/to/dist]`.
import { pathToFileURL } from 'node:url';

import { expectEqual, measureRates } from './harness.mjs';

const FRAMES = 100;
const T = 1767225600000;

/**
 * The build to measure: worker.mjs passes its config (with `distUrl`) as a JSON argument,
 * run.mjs and the standalone mode take `--dist=PATH`; otherwise the dist next to this folder.
 */
function distUrl() {
  for (const arg of process.argv.slice(2)) {
    if (arg.startsWith('{')) {
      const url = JSON.parse(arg).distUrl;
      if (url) return new URL(url);
    }
    if (arg.startsWith('--dist=')) return pathToFileURL(`${arg.slice(7).replace(/\/?$/, '/')}`);
  }
  return new URL('../dist/', import.meta.url);
}

const wire = await import(new URL('wire/index.js', distUrl()).href);

/** About 64 bytes of JSON: a sensor reading. */
const small = (i) => ({ sensor: 'temp-17', celsius: 21.5, ok: true, seq: i, unit: 'C' });

/** About 1 KiB of JSON: an order with a customer and a dozen lines. */
function large(i) {
  const lines = [];
  for (let j = 0; j < 12; j++) {
    lines.push({ sku: `sku-${1000 + j}`, qty: j + 1, price: 9.99 + j, tags: ['new', 'promo'] });
  }
  const customer = { id: 'c-77', name: 'Ada Lovelace', email: 'ada@example.com' };
  return { order: `o-${88000 + i}`, seq: i, customer, lines, note: 'leave it at the door' };
}

/** A frame as the exchange builds it: every envelope field, unset ones undefined, two hops. */
function frame(i, value) {
  const ts = T + i;
  const env = {
    id: `app:m3x9k2.0:${i.toString(36)}`,
    kind: 'msg',
    name: 'orders.created',
    value,
    from: 'app',
    to: undefined,
    ts,
    headers: undefined,
    trace: [
      { ex: 'app', at: ts },
      { ex: 'hub', at: ts + 1 },
    ],
    start: undefined,
    cause: undefined,
    corr: undefined,
    error: undefined,
    errorSource: undefined,
    deadline: undefined,
    failover: undefined,
    key: undefined,
  };
  return { t: 'msg', env, mode: 1 };
}

const VALUES = { 64: small, 1024: large };

export function makeBatch(size, n = FRAMES) {
  return Array.from({ length: n }, (_, i) => frame(i, VALUES[size](i)));
}

/** Bytes per frame of a 100-frame batch on the wire (UTF-8 for JSON). */
export function bytesPerFrame(codecName, size) {
  const data = wire.createCodec(codecName).encode(makeBatch(size));
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  return bytes / FRAMES;
}

const LABEL = { 64: '64 B', 1024: '1 KiB' };
const ROWS = [
  ['json', 64],
  ['msgpack', 64],
  ['msgpack-compact', 64],
  ['json', 1024],
  ['msgpack', 1024],
  ['msgpack-compact', 1024],
];

export const scenario = {
  id: 'w',
  name: 'codec',
  title: `wire codecs, encode + decode of ${FRAMES}-frame batches of msg envelopes`,
  unit: 'frames/s',
  kind: 'rate',
  base: 'json-64',
  rows: () =>
    ROWS.map(([codec, size]) => ({
      key: `${codec}-${size}`,
      label: `${codec}, ${LABEL[size]} values, ${Math.round(bytesPerFrame(codec, size))} B/frame`,
      make: (m) => m.codecCase(codec, size, 'both'),
    })),
};

/**
 * A rate case: `run(n)` puts n frames through the codec, in batches of up to 100 (`what`: both
 * ways, `encode` only or `decode` only), and checks that what comes out is what went in.
 */
export function codecCase(codecName, size, what = 'both') {
  return {
    prepare() {
      const codec = wire.createCodec(codecName);
      const full = makeBatch(size);
      const parts = new Map(); // batches of fewer frames, for the remainder of n
      const batchOf = (k) => {
        if (k === FRAMES) return full;
        if (!parts.has(k)) parts.set(k, full.slice(0, k));
        return parts.get(k);
      };
      const encoded = new Map();
      const dataOf = (k) => {
        if (!encoded.has(k)) encoded.set(k, codec.encode(batchOf(k)));
        return encoded.get(k);
      };
      const once = (k) => {
        if (what === 'encode') return codec.encode(batchOf(k));
        const out = codec.decode(what === 'decode' ? dataOf(k) : codec.encode(batchOf(k)));
        expectEqual(out.length, k, 'frames decoded');
        expectEqual(out[k - 1].env.value.seq, k - 1, 'last frame value');
        return out;
      };
      return (n) => {
        for (let done = 0; done < n; done += FRAMES) once(Math.min(FRAMES, n - done));
      };
    },
  };
}

// ---- standalone: one table with encode and decode apart -----------------------------------------

function parseArgs(argv) {
  const options = { runs: 5, budgetMs: 400, warmupMs: 300 };
  for (const arg of argv) {
    const [flag, value] = arg.split(/=(.*)/s);
    if (flag === '--runs') options.runs = Number(value);
    else if (flag === '--budget') options.budgetMs = Number(value);
    else if (flag === '--warmup') options.warmupMs = Number(value);
    else if (flag !== '--dist') throw new Error(`unknown option ${arg}`);
  }
  return options;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rate = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${Math.round(v / 1e3)} k`);

async function standalone() {
  const options = parseArgs(process.argv.slice(2));
  const cases = [];
  for (const [codec, size] of ROWS) {
    for (const what of ['both', 'encode', 'decode']) {
      cases.push({ ...codecCase(codec, size, what), label: `${codec} ${size} ${what}` });
    }
  }
  const samples = await measureRates(cases, options);
  const lines = [['codec', 'value', 'B/frame', 'encode+decode', 'encode', 'decode']];
  ROWS.forEach(([codec, size], r) => {
    const [both, enc, dec] = [0, 1, 2].map((k) => median(samples[r * 3 + k]));
    lines.push([
      codec,
      LABEL[size],
      bytesPerFrame(codec, size).toFixed(0),
      rate(both),
      rate(enc),
      rate(dec),
    ]);
  });
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  process.stdout.write(
    `wire codecs, ${FRAMES}-frame batches, frames/s (median of ${options.runs} × ${options.budgetMs} ms), node ${process.version}\n`,
  );
  for (const l of lines) {
    process.stdout.write(
      `${l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}\n`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  standalone().catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
