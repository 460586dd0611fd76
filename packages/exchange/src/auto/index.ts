/**
 * `exchange/auto`: reactive state, fully compatible with auto.js 1.54. Statics are plain values;
 * computeds are functions of them, recomputed in transactions; computeds may read but never write.
 * Every state operation runs as a signal on the kernel (`exchange/kernel`), so hooks see it all.
 *
 * @example
 * import { auto, subscribe } from 'exchange/auto';
 * const $ = auto({ items: [1, 2], total: ($: { items: number[] }) => $.items.length });
 * const stop = subscribe($, 'total', (n) => console.log('total', n)); // total 2
 * $.items = [1, 2, 3]; // after the auto-batch: total 3
 * stop();
 */
export { auto, AUTO_VERSION } from './auto.js';
export { deepEqual } from './deep-equal.js';
export { subscribe, batch, flush, snapshot, onTransaction, lastTrace } from './typed.js';
export { recorder } from './recorder.js';

export type {
  Auto,
  AutoMembers,
  AutoOptions,
  ComputedValue,
  CountOptions,
  FatalEvent,
  FatalState,
  Handle,
  Internals,
  Trace,
  Trigger,
} from './types.js';
export type { Recorder, Recording, RecorderInit, PlaybackResult } from './recorder.js';
