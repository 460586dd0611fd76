// Builds the prebuilt browser bundle: src/browser.ts → dist/browser/exchange.js (ESM, minified,
// with a source map), prints its size raw and gzipped, and fails if anything in it would need
// Node (`node:*` built-ins or the `ws` package). `npm run build` runs it after tsc.
// Usage: node scripts/build-browser.mjs [--outdir DIR]   (default: dist/browser)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outfile = `${values.outdir ?? `${root}dist/browser`}/exchange.js`;

const result = await build({
  entryPoints: [`${root}src/browser.ts`],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

const problems = nodeImports(result.metafile, readFileSync(outfile, 'utf8'));
if (problems.length > 0) {
  console.error(`browser bundle ${outfile} needs Node:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const bytes = readFileSync(outfile);
console.log(
  `browser bundle ${outfile}: ${kb(bytes.length)} raw, ${kb(gzipSync(bytes).length)} gzip`,
);

/**
 * What in the bundle would need Node: imports esbuild left external, and `require`/`import` of
 * a `node:` module or `ws` in the output text (a CommonJS dependency's require survives bundling
 * as a call that throws in a browser).
 */
function nodeImports(metafile, text) {
  const found = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) if (imp.external) found.push(`${file} imports ${imp.path}`);
  }
  const NODE = /\b(?:require\s*\(\s*|import\s*(?:\(\s*)?|from\s*)["'](?:node:[^"']*|ws)["']/g;
  for (const match of text.matchAll(NODE)) found.push(`the output has ${match[0]}`);
  return found;
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KiB`;
}
