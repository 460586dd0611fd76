// Which system runs when, in each run of a scenario.

/**
 * The order of the systems in run `run`. Ours and the raw ws relay go back to back (the relay
 * first in every other run): most targets are ratios to the relay, and this VM changes speed
 * for seconds at a time, so a pair far apart in a run could meet two speeds. The others rotate,
 * and the pair moves through the run, so that no system is always first.
 */
export function runOrder(systems, run) {
  const ours = systems.find((s) => s.key === 'exchange');
  const relay = systems.find((s) => s.key === 'ws');
  if (!pairsOursWithRelay(systems))
    return systems.map((_, i) => systems[(i + run) % systems.length]);
  const others = systems.filter((s) => s !== ours && s !== relay);
  const rotated = others.map((_, i) => others[(i + run) % others.length]);
  const pair = run % 2 === 0 ? [ours, relay] : [relay, ours];
  const at = run % (others.length + 1);
  return [...rotated.slice(0, at), ...pair, ...rotated.slice(at)];
}

/** Whether `runOrder` puts ours and the relay back to back: both are among `systems`. */
export function pairsOursWithRelay(systems) {
  return systems.some((s) => s.key === 'exchange') && systems.some((s) => s.key === 'ws');
}
