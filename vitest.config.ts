import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// EXCHANGE_TEST_DIST=1 runs the same suites against the built `dist/` instead of `src/`:
// tests import `../../src/...`, which this alias redirects.
const useDist = process.env.EXCHANGE_TEST_DIST === '1';
const dist = fileURLToPath(new URL('./packages/exchange/dist/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: useDist ? [{ find: /^(?:\.\.\/)+src\/(.*)$/, replacement: `${dist}$1` }] : [],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
