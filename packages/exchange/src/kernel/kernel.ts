import { KernelError } from './error.js';
import type { Handler, Kernel, KernelHooks, KernelInit } from './types.js';

interface Slot {
  immediate: Handler | undefined;
  queued: Handler[];
}

const EMPTY: Slot = Object.freeze({ immediate: undefined, queued: [] });
/** Copy-on-write removal of one registration (the same function may be registered twice). */
const without = <T>(list: T[], item: T): T[] => {
  const i = list.indexOf(item);
  return i < 0 ? list : [...list.slice(0, i), ...list.slice(i + 1)];
};
const drainLimit = (max: number, names: string) =>
  `queue still busy after ${max} generations (pending: ${names}); a handler re-emits what it handles`;

/* eslint-disable no-console -- the defaults are the documented last resort */
const logError = (e: unknown, name: string) => console.error(`[kernel] ${name} handler threw`, e);
const logUnhandled = (name: string) => console.warn(`[kernel] no handler takes signal ${name}`);
/* eslint-enable no-console */

/** Create a kernel. Its object is frozen; behaviour is extended through handlers and hooks. */
export function kernel(init: KernelInit = {}): Kernel {
  const { onError = logError, onUnhandled = logUnhandled, maxGenerations = 10_000 } = init;
  const slots = new Map<string, Slot>();
  let hooks: KernelHooks[] = [];
  // The queue as parallel arrays, so a queued signal allocates no entry object.
  let qSlots: Slot[] = [];
  let qNames: string[] = [];
  let qValues: unknown[] = [];
  let qDetails: unknown[] = [];

  const slotOf = (name: string): Slot => {
    let slot = slots.get(name);
    if (!slot) slots.set(name, (slot = { immediate: undefined, queued: [] }));
    return slot;
  };

  function run(handler: Handler, name: string, value: unknown, detail: unknown, now: boolean) {
    try {
      for (const h of hooks) h.beforeHandler?.(name, value, now);
      const result = handler(value, detail, name);
      for (const h of hooks) h.afterHandler?.(name, value, now, result);
      return result;
    } catch (error) {
      onError(error, name, value);
      return undefined;
    }
  }

  function dispatch(slot: Slot, name: string, value: unknown, detail: unknown): unknown {
    if (hooks.length === 0 && slot.queued.length === 0 && slot.immediate !== undefined) {
      try {
        return slot.immediate(value, detail, name); // the hot path: no hooks, nothing queued
      } catch (error) {
        onError(error, name, value);
        return undefined;
      }
    }
    for (const h of hooks) h.beforeSignal?.(name, value, detail);
    let result: unknown;
    if (slot.queued.length > 0) {
      qSlots.push(slot);
      qNames.push(name);
      qValues.push(value);
      qDetails.push(detail);
    }
    if (slot.immediate !== undefined) result = run(slot.immediate, name, value, detail, true);
    else if (slot.queued.length === 0) onUnhandled(name, value);
    for (const h of hooks) h.afterSignal?.(name, value, detail, result);
    return result;
  }

  function step(): number {
    const [s, n, v, d] = [qSlots, qNames, qValues, qDetails];
    [qSlots, qNames, qValues, qDetails] = [[], [], [], []];
    let i = 0;
    try {
      // `queued` is copy-on-write, so handlers added or removed meanwhile cannot disturb this loop.
      for (; i < s.length; i++) for (const h of s[i].queued) run(h, n[i], v[i], d[i], false);
    } finally {
      // Only an `onError` that throws gets here early: keep the rest of the generation queued.
      if (i < s.length - 1) {
        qSlots = [...s.slice(i + 1), ...qSlots];
        qNames = [...n.slice(i + 1), ...qNames];
        qValues = [...v.slice(i + 1), ...qValues];
        qDetails = [...d.slice(i + 1), ...qDetails];
      }
    }
    return s.length;
  }

  const self: Kernel = {
    sig: (name, value, detail) => dispatch(slots.get(name) ?? EMPTY, name, value, detail),
    channel(name) {
      const slot = slotOf(name);
      return (value, detail) => dispatch(slot, name, value, detail);
    },
    handle(name, handler, options = {}) {
      const slot = slotOf(name);
      if (options.immediate) {
        if (slot.immediate) {
          throw new KernelError(
            'HANDLER_EXISTS',
            `signal ${name} already has an immediate handler`,
          );
        }
        slot.immediate = handler;
        return () => void (slot.immediate === handler && (slot.immediate = undefined));
      }
      slot.queued = [...slot.queued, handler];
      let removed = false;
      return () =>
        void (!removed && ((removed = true), (slot.queued = without(slot.queued, handler))));
    },
    hook(added) {
      hooks = [...hooks, added];
      let removed = false;
      return () => void (!removed && ((removed = true), (hooks = without(hooks, added))));
    },
    step,
    drain() {
      let total = 0;
      for (let generation = 0; qSlots.length > 0; generation++) {
        if (generation >= maxGenerations) {
          const names = [...new Set(qNames)].slice(0, 5).join(', ');
          throw new KernelError('DRAIN_LIMIT', drainLimit(maxGenerations, names));
        }
        total += step();
      }
      return total;
    },
    get pending() {
      return qSlots.length;
    },
    get hooked() {
      return hooks.length > 0;
    },
  };
  return Object.freeze(self);
}
