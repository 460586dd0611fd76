/**
 * Heartbeats of many links on one timer per interval rather than a timer each: a Node interval
 * timer with its closure holds ~250 bytes, and a hub has thousands of idle links. The clock ticks
 * every eighth of the interval and beats each link whose turn has come, one interval after its
 * last beat (or after it joined): beats stay spread over the interval as separate timers would
 * spread them, each late by at most a tick.
 *
 * Bound: one clock per interval in use, stopped when its last link leaves; a link is in at most
 * one clock (it leaves before it joins again).
 */
export interface HeartbeatMember {
  /** Called once per interval while the member is in the clock. */
  beat(interval: number): void;
}

const TICKS_PER_INTERVAL = 8;

class Clock {
  /** Member → when its next beat is due (ms since the epoch). */
  readonly due = new Map<HeartbeatMember, number>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(readonly interval: number) {
    const tick = Math.max(1, Math.floor(interval / TICKS_PER_INTERVAL));
    this.timer = setInterval(() => this.tick(), tick);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    const now = Date.now();
    // A beat may make its member leave (a link given up): Map iteration allows deletion.
    for (const [member, at] of this.due) {
      if (at > now) continue;
      this.due.set(member, now + this.interval);
      member.beat(this.interval);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const clocks = new Map<number, Clock>();

/** Beat `member` every `interval` ms (> 0), the first time one interval from now. */
export function joinHeartbeats(member: HeartbeatMember, interval: number): void {
  let clock = clocks.get(interval);
  if (clock === undefined) clocks.set(interval, (clock = new Clock(interval)));
  clock.due.set(member, Date.now() + interval);
}

/** Stop beating `member` (no-op if it is not in the clock of `interval`). */
export function leaveHeartbeats(member: HeartbeatMember, interval: number): void {
  const clock = clocks.get(interval);
  if (clock === undefined || !clock.due.delete(member) || clock.due.size > 0) return;
  clock.stop();
  clocks.delete(interval);
}
