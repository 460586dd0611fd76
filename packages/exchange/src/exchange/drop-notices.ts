/**
 * `$exchange.dropped` notices, rate-limited per reason. Drops come in floods exactly when things
 * are already bad (a slow consumer's full queue refuses every message for it; a hub without a
 * route drops a publisher's whole stream), and one system message per drop would flood the
 * message log and every observer of `$exchange.>` too. So the first drop of a reason in a window
 * is told at once, as it happened, and the rest of that window's drops of the same reason in one
 * summary when the window ends: `{ message, name, reason, count }` with the last one's id and
 * name. Counters (`counters.dropped`) still count every drop.
 */
import type { Envelope } from './envelope.js';

/** One notice: the message dropped (the last of a summary) and, for a summary, how many. */
export interface DropNotice {
  message: string;
  name: string;
  reason: string;
  /** Drops this notice stands for: absent for the first of a window (one), else how many. */
  count?: number;
}

/** Window per reason, in ms: at most one immediate notice and one summary per reason in it. */
export const DROP_NOTICE_WINDOW_MS = 1000;
/**
 * Reasons tracked at once (reasons name peers and exchange ids). Overflow policy: past it, a new
 * reason's drops are summarised under the reason `many reasons` until the windows end.
 */
export const MAX_DROP_REASONS = 256;
const OVERFLOW_REASON = 'many reasons';

interface Window {
  count: number;
  last: Envelope | undefined;
}

export class DropNotices {
  private readonly windows = new Map<string, Window>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly tell: (notice: DropNotice) => void) {}

  /** `env` was dropped for `reason`. */
  dropped(env: Envelope, reason: string): void {
    let window = this.windows.get(reason);
    if (window === undefined && this.windows.size >= MAX_DROP_REASONS) {
      reason = OVERFLOW_REASON;
      window = this.windows.get(reason);
    }
    if (window !== undefined) {
      window.count++;
      window.last = env;
      return;
    }
    this.windows.set(reason, { count: 0, last: undefined });
    this.startTimer();
    // The overflow reason has no first drop of its own to tell: it is only ever a summary.
    if (reason === OVERFLOW_REASON) this.dropped(env, reason);
    else this.tell({ message: env.id, name: env.name, reason });
  }

  /** End of a window: summaries for what was held back; reasons quiet in it are forgotten. */
  private flush(): void {
    this.timer = undefined;
    const windows = [...this.windows];
    this.windows.clear();
    for (const [reason, w] of windows) {
      if (w.count === 0 || w.last === undefined) continue;
      // A summary opens the next window, so a drop right after it is held back too.
      this.windows.set(reason, { count: 0, last: undefined });
      this.tell({ message: w.last.id, name: w.last.name, reason, count: w.count });
    }
    if (this.windows.size > 0) this.startTimer();
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), DROP_NOTICE_WINDOW_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Forget what is held back (the exchange closes: it tells nothing more). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.windows.clear();
  }
}
