// The built library, as the role processes load it (the same files a user of the package gets).
import { DIST } from './lib.mjs';

export const { exchange } = await import(new URL('index.js', DIST).href);

/** Memory of this process after a full GC when `--expose-gc` is on, in MiB. */
export function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  const MiB = 1024 * 1024;
  return {
    rss: m.rss / MiB,
    heapUsed: m.heapUsed / MiB,
    external: m.external / MiB,
    gc: !!globalThis.gc,
  };
}
