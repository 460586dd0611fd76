/** What a kernel reads its gauges from. */
export interface GaugeReadings {
  pending(): number;
  hooked(): boolean;
}

/**
 * A kernel's read-only `pending` and `hooked`, as getters on a prototype shared by every kernel.
 * Getters made per object (in the kernel's object literal) put that object in dictionary mode,
 * where every `k.sig` is a slow property lookup instead of a cached one.
 */
export class Gauges {
  readonly #read: GaugeReadings;
  constructor(read: GaugeReadings) {
    this.#read = read;
  }
  /** Signals waiting in the queue. */
  get pending(): number {
    return this.#read.pending();
  }
  /** True while any hook is installed. */
  get hooked(): boolean {
    return this.#read.hooked();
  }
}
