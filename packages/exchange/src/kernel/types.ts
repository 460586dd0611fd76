/** Types of the signal kernel's public surface. */
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
  /**
   * Signals the queue holds at most. Past it, `sig` of a name with queued handlers throws
   * `QUEUE_FULL` and queues nothing (the newest is refused; what is queued stays). @default 1000000
   */
  maxQueued?: number;
}

export interface HandleOptions {
  /** Run synchronously inside `sig` and return a value to the caller. @default false */
  immediate?: boolean;
}

export interface Kernel {
  /**
   * Emit a signal: immediate handler runs now (its result is returned), queued ones on `step`.
   * @throws {KernelError} `QUEUE_FULL` if queued handlers take it and `maxQueued` are waiting.
   */
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
  /** True while any hook is installed: lets a layer skip building what only hooks would see. */
  readonly hooked: boolean;
}
