#!/usr/bin/env node
// The `exchange` command. The CLI itself is built into dist/ (`npm run build`); this file exists
// before the build, so npm can link the command when it installs the package.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('exchange: the CLI is not built yet: run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
