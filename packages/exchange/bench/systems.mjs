// The systems under test: ours (the built library) and the real reference packages, installed as
// devDependencies. Also the rows each reactive scenario prints, one per system.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Options for auto, ours and the original, as in auto-spec section 22. */
export const FAST = Object.freeze({ auto_batch: false, max_calls_per_second: 0 });

/**
 * Ours with its default options, but one. By default the call-rate guard backs off any computed
 * evaluated more than 10 times a second, from boot on (grace period 0): a set + read loop freezes
 * its computed after 10 rounds, by design, and the check fails. An endless grace period keeps the
 * guard on the path (it still reads the clock on every evaluation) without ever tripping it.
 */
export const DEFAULTS = Object.freeze({ call_rate_grace_period: Infinity });
export const DEFAULTS_NOTE =
  '† default options but call_rate_grace_period: Infinity (the default guard would freeze the computed after 10 evaluations in a second, by design; this way the check still runs, but never trips)';

const require = createRequire(import.meta.url);

/** The version of an installed package (found by walking up from its entry point). */
function versionOf(name) {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  return '?';
}

/** Load every system. `distUrl` is the built library's dist/ folder, as a URL. */
export async function loadSystems(distUrl) {
  const [ourAuto, ourKernel, original, preact] = await Promise.all([
    import(new URL('auto/index.js', distUrl).href),
    import(new URL('kernel/index.js', distUrl).href),
    import('@autolib/auto'),
    import('@preact/signals-core'),
  ]);
  return {
    ours: { auto: ourAuto.auto, kernel: ourKernel.kernel },
    original: original.default,
    preact,
    EventEmitter,
    versions: {
      original: versionOf('@autolib/auto'),
      preact: versionOf('@preact/signals-core'),
    },
  };
}

/**
 * The rows of a reactive scenario (a–e). `make(m)` gets the row's own copy of the scenario module
 * and returns its case. `withDefaults` adds ours with default options, to show what they cost.
 */
export function reactiveRows(s, { withDefaults = false } = {}) {
  const rows = [{ key: 'ours', label: 'ours', make: (m) => m.autoCase(s.ours.auto, { ...FAST }) }];
  if (withDefaults) {
    rows.push({
      key: 'ours-defaults',
      label: 'ours, default options†',
      note: DEFAULTS_NOTE,
      make: (m) => m.autoCase(s.ours.auto, { ...DEFAULTS }),
    });
  }
  rows.push(
    {
      key: 'preact',
      label: `preact-signals ${s.versions.preact}`,
      make: (m) => m.preactCase(s.preact),
    },
    {
      key: 'original',
      label: `auto-es6 ${s.versions.original}`,
      make: (m) => m.autoCase(s.original, { ...FAST }),
    },
  );
  return rows;
}
