import type { StateNode } from './node.js';

/** The longest run of evaluations timed by one pair of clock reads (see `LagTimer`). */
const MAX_WINDOW = 256;
/** Evaluations timed one by one at the start of every synchronous run, before windows grow. */
const EXACT_RUN = 64;

// One microtask per synchronous run for all instances, holding no instance: a long synchronous
// loop that makes many instances must not keep them alive in the microtask queue.
let burst = 0;
let burstOpen = false;
const endBurst = (): void => void ((burstOpen = false), burst++);

/**
 * `report_lag` (spec §5.9): log a computed whose evaluation took longer than the lag.
 *
 * A clock read costs about 100 ns on some virtual machines, more than a whole small evaluation,
 * so a positive lag is not checked with two reads around every evaluation. Evaluations are timed
 * in windows instead: one read at the window's start, one at its end. A window whose whole span is
 * within the lag proves every evaluation in it was too (the next window may then be twice as
 * long); a window of one evaluation is exact, so a slow one is logged with its time. A longer
 * window that ran over the lag cannot say which evaluation was slow: nothing is logged for it and
 * timing goes back to one evaluation per window. Every synchronous run of the program (up to the
 * next microtask checkpoint) times its first 64 evaluations one by one, and windows only grow
 * after that, so occasional writes are always timed exactly; only after 64 fast evaluations in one
 * synchronous run can a slow one go unreported.
 * Evaluations nested in another (a lazy read of a computed not yet evaluated) are always exact.
 * `report_lag: -1` (log every evaluation) times each one.
 */
export class LagTimer {
  private windowStart = 0;
  private inWindow = 0;
  private size = 1;
  private exactLeft = EXACT_RUN;
  private burst = -1;

  constructor(
    private readonly lag: number,
    private readonly report: (node: StateNode, ms: number) => void,
  ) {}

  /** At the start of an evaluation; `nested` when another evaluation is running. Returns its start, or -1. */
  start(nested: boolean): number {
    // Inside a window of this synchronous run: nothing to do (kept small, to be inlined).
    if (this.inWindow !== 0 && !nested && burstOpen && this.burst === burst) return -1;
    return this.begin(nested);
  }

  private begin(nested: boolean): number {
    if (nested || this.lag < 0) return performance.now();
    if (!burstOpen) ((burstOpen = true), queueMicrotask(endBurst));
    if (this.burst !== burst) {
      this.burst = burst;
      this.size = 1;
      this.exactLeft = EXACT_RUN;
      this.inWindow = 0;
    }
    if (this.inWindow === 0) this.windowStart = performance.now();
    return -1;
  }

  /** At the end of the evaluation `start` returned `started` for. */
  end(node: StateNode, started: number): void {
    if (started >= 0) {
      const ms = performance.now() - started;
      if (this.lag < 0 || ms > this.lag) this.report(node, ms);
      return;
    }
    if (++this.inWindow < this.size) return;
    const ms = performance.now() - this.windowStart;
    if (ms <= this.lag) {
      if (this.exactLeft > 0) this.exactLeft--;
      else this.size = Math.min(this.size * 2, MAX_WINDOW);
    } else if (this.inWindow === 1) this.report(node, ms);
    else ((this.size = 1), (this.exactLeft = EXACT_RUN)); // which one was slow is unknown
    this.inWindow = 0;
  }
}
