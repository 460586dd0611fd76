/** A handler receives the signal's value, an optional detail, and the signal's name. */
export type Handler = (value: any, detail: any, name: string) => unknown;
/** A bound `sig` for one name: the hot path, with no name lookup per call. */
export type Channel = (value?: unknown, detail?: unknown) => unknown;

/** Observers around every signal and handler run; all optional. */
export interface KernelHooks {
  beforeSignal?(name: string, value: unknown, detail: unknown): void;
  afterSignal?(name: string, value: unknown, detail: unknown, result: unknown): void;
  beforeHandler?(name: string, value: unknown, immediate: boolean): void;
  afterHandler?(name: string, value: unknown, immediate: boolean, result: unknown): void;
}

export interface KernelInit {
  /** Where a throwing handler's error goes; the kernel keeps running. @default console.error */
  onError?: (error: unknown, name: string, value: unknown) => void;
  /** Called for a signal that no handler takes. @default console.warn */
  onUnhandled?: (name: string, value: unknown) => void;
  /** Generations `drain()` may step before it throws `DRAIN_LIMIT`. @default 10000 */
  maxGenerations?: number;
}

export interface HandleOptions {
  /** Run synchronously inside `sig` and return a value to the caller. @default false */
  immediate?: boolean;
}

export interface Kernel {
  /** Emit a signal: immediate handler runs now (its result is returned), queued ones on `step`. */
  sig(name: string, value?: unknown, detail?: unknown): unknown;
  /** A pre-bound `sig` for one name. */
  channel(name: string): Channel;
  /** Add a handler; returns a function that removes it. One immediate handler per name. */
  handle(name: string, handler: Handler, options?: HandleOptions): () => void;
  /** Add hooks; returns a function that removes them. */
  hook(hooks: KernelHooks): () => void;
  /** Process one generation (the signals queued before this call). Returns how many ran. */
  step(): number;
  /** Step until the queue is empty. @throws {KernelError} `DRAIN_LIMIT` past `maxGenerations`. */
  drain(): number;
  /** Signals waiting in the queue. */
  readonly pending: number;
}

/** The kernel's typed error: `code` says what went wrong. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: 'DRAIN_LIMIT' | 'HANDLER_EXISTS',
    message: string,
  ) {
    super(message);
  }
}

interface Slot {
  immediate: Handler | undefined;
  queued: Handler[];
}

/* eslint-disable no-console -- the defaults are the documented last resort */
const logError = (e: unknown, name: string) => console.error(`[kernel] handler for ${name} threw`, e);
const logUnhandled = (name: string) => console.warn(`[kernel] no handler takes signal ${name}`);
/* eslint-enable no-console */

/** Create a kernel. Its object is frozen; behaviour is extended through handlers and hooks. */
export function kernel(init: KernelInit = {}): Kernel {
  const { onError = logError, onUnhandled = logUnhandled, maxGenerations = 10_000 } = init;
  const slots = new Map<string, Slot>();
  let hooks: KernelHooks[] = [];
  // The queue as parallel arrays, so a queued signal allocates no entry object.
  let qSlots: Slot[] = [], qNames: string[] = [], qValues: unknown[] = [];

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
    if (slot.queued.length > 0) (qSlots.push(slot), qNames.push(name), qValues.push(value));
    if (slot.immediate !== undefined) result = run(slot.immediate, name, value, detail, true);
    else if (slot.queued.length === 0) onUnhandled(name, value);
    for (const h of hooks) h.afterSignal?.(name, value, detail, result);
    return result;
  }

  function step(): number {
    const [s, n, v] = [qSlots, qNames, qValues];
    (qSlots = []), (qNames = []), (qValues = []);
    for (let i = 0; i < s.length; i++) {
      // `queued` is copy-on-write, so handlers added or removed meanwhile cannot disturb this loop.
      for (const handler of s[i].queued) run(handler, n[i], v[i], undefined, false);
    }
    return s.length;
  }

  const self: Kernel = {
    sig: (name, value, detail) => dispatch(slotOf(name), name, value, detail),
    channel(name) {
      const slot = slotOf(name);
      return (value, detail) => dispatch(slot, name, value, detail);
    },
    handle(name, handler, options = {}) {
      const slot = slotOf(name);
      if (options.immediate) {
        if (slot.immediate) throw new KernelError('HANDLER_EXISTS', `signal ${name} already has an immediate handler`);
        slot.immediate = handler;
        return () => void (slot.immediate === handler && (slot.immediate = undefined));
      }
      slot.queued = [...slot.queued, handler];
      return () => void (slot.queued = slot.queued.filter((h) => h !== handler));
    },
    hook(added) {
      hooks = [...hooks, added];
      return () => void (hooks = hooks.filter((h) => h !== added));
    },
    step,
    drain() {
      let total = 0;
      for (let generation = 0; qSlots.length > 0; generation++) {
        if (generation >= maxGenerations) {
          const names = [...new Set(qNames)].slice(0, 5).join(', ');
          throw new KernelError('DRAIN_LIMIT', `queue still busy after ${maxGenerations} generations (pending: ${names}); a handler probably re-emits the signal it handles`);
        }
        total += step();
      }
      return total;
    },
    get pending() {
      return qSlots.length;
    },
  };
  return Object.freeze(self);
}
