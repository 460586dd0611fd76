import { KernelError } from './error.js';
import { Gauges } from './gauges.js';
import { drainLimit, full, logError, logUnhandled, taken } from './messages.js';
import type { Handler, Kernel, KernelHooks, KernelInit } from './types.js';

interface Slot {
  readonly name: string;
  immediate: Handler | undefined;
  queued: Handler[];
}

const EMPTY: Slot = Object.freeze({ name: '', immediate: undefined, queued: [] });
/** Copy-on-write removal of one registration (the same function may be registered twice). */
const without = <T>(list: T[], item: T, at = list.indexOf(item)): T[] =>
  at < 0 ? list : [...list.slice(0, at), ...list.slice(at + 1)];
/** Create a kernel. Its object is frozen; behaviour is extended through handlers and hooks. */
export function kernel(init: KernelInit = {}): Kernel {
  const { onError = logError, onUnhandled = logUnhandled, maxGenerations = 10_000 } = init;
  const maxEnd = (init.maxQueued ?? 1_000_000) * 3;
  const slots = new Map<string, Slot>();
  let hooks: KernelHooks[] = [];
  // The queue is one flat array of (slot, value, detail) triples up to `queueEnd`, so a queued
  // signal allocates nothing. `step` swaps it with `spare`: both keep their capacity.
  let [queue, queueEnd, spare]: [unknown[], number, unknown[] | undefined] = [[], 0, []];

  const slotOf = (name: string, slot = slots.get(name)): Slot =>
    slot ?? (slots.set(name, (slot = { name, immediate: undefined, queued: [] })), slot);

  /** A handler run with hooks around it; with no hooks, the hot paths call handlers directly. */
  function run(handler: Handler, name: string, value: unknown, detail: unknown, now: boolean) {
    try {
      for (const h of hooks) h.beforeHandler?.(name, value, now);
      const result = handler(value, detail, name);
      for (const h of hooks) h.afterHandler?.(name, value, now, result);
      return result;
    } catch (error) {
      onError(error, name, value);
    }
  }

  function enqueue(slot: Slot, value: unknown, detail: unknown) {
    if (queueEnd >= maxEnd) throw new KernelError('QUEUE_FULL', full(slot.name, maxEnd / 3));
    queue[queueEnd] = slot; // stores, not push: a reused spare is longer than what it holds
    queue[queueEnd + 1] = value;
    queue[queueEnd + 2] = detail;
    queueEnd += 3;
  }

  function dispatch(slot: Slot, name: string, value: unknown, detail: unknown): unknown {
    if (hooks.length > 0) return observed(slot, name, value, detail);
    // Queued before the immediate handler runs, so what that handler emits comes after it.
    if (slot.queued.length > 0) enqueue(slot, value, detail);
    else if (slot.immediate === undefined) onUnhandled(name, value);
    try {
      return slot.immediate?.(value, detail, name);
    } catch (error) {
      onError(error, name, value);
    }
  }

  function observed(slot: Slot, name: string, value: unknown, detail: unknown): unknown {
    for (const h of hooks) h.beforeSignal?.(name, value, detail);
    if (slot.queued.length > 0) enqueue(slot, value, detail);
    else if (slot.immediate === undefined) onUnhandled(name, value);
    const result = slot.immediate && run(slot.immediate, name, value, detail, true);
    for (const h of hooks) h.afterSignal?.(name, value, detail, result);
    return result;
  }

  function step(): number {
    const generation = queue;
    const end = queueEnd;
    // A step run from inside a handler finds no spare and takes a fresh array.
    [queue, queueEnd, spare] = [spare ?? [], 0, undefined];
    let i = 0;
    try {
      for (; i < end; i += 3) {
        // `queued` is copy-on-write: handlers added or removed meanwhile cannot disturb this loop.
        const { name, queued } = generation[i] as Slot;
        const value = generation[i + 1];
        const detail = generation[i + 2];
        generation[i + 1] = generation[i + 2] = undefined; // the spare must not hold on to them
        for (let h = 0; h < queued.length; h++) {
          if (hooks.length > 0) run(queued[h], name, value, detail, false);
          else
            try {
              queued[h](value, detail, name);
            } catch (error) {
              onError(error, name, value);
            }
        }
      }
    } finally {
      // Only an `onError` that throws gets here early: keep the rest of the generation queued.
      if (i + 3 < end) {
        queue = [...generation.slice(i + 3, end), ...queue.slice(0, queueEnd)];
        queueEnd = queue.length;
      }
      spare = i < end ? undefined : generation; // after an error it may still hold values
    }
    return end / 3;
  }

  const gauges = new Gauges({ pending: () => queueEnd / 3, hooked: () => hooks.length > 0 });
  const self: Kernel = Object.assign(gauges, {
    sig: (name, value, detail) => dispatch(slots.get(name) ?? EMPTY, name, value, detail),
    channel(name) {
      const slot = slotOf(name);
      return (value, detail) => dispatch(slot, name, value, detail);
    },
    handle(name, handler, options = {}) {
      const slot = slotOf(name);
      if (options.immediate) {
        if (slot.immediate) throw new KernelError('HANDLER_EXISTS', taken(name));
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
      for (let generation = 0; queueEnd > 0; generation++) {
        if (generation >= maxGenerations) {
          const slotsQueued = queue.slice(0, queueEnd).filter((_, i) => i % 3 === 0) as Slot[];
          const names = [...new Set(slotsQueued.map((s) => s.name))].slice(0, 5).join(', ');
          throw new KernelError('DRAIN_LIMIT', drainLimit(maxGenerations, names));
        }
        total += step();
      }
      return total;
    },
  } satisfies Omit<Kernel, keyof Gauges>);
  return Object.freeze(self);
}
