// Which build of the library the hub benchmark measures: packages/exchange/dist, or the one
// EXCHANGE_DIST names (the runner sets it from --dist; child processes inherit it), e.g. a
// build of another commit in a git worktree. The soak reads the same variable.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The built package as a directory URL (ending in `/`). */
export function distUrl() {
  const dir = process.env.EXCHANGE_DIST;
  return dir ? pathToFileURL(`${path.resolve(dir)}/`) : new URL('../../dist/', import.meta.url);
}
