import type { Frame } from '../exchange/index.js';

/**
 * The sending half of acknowledgements (spec/protocol.md §5.6): the `msg` frames written on the
 * current connection that the peer has not acknowledged yet, oldest first. A reconnecting link
 * puts them back at the head of its queue when the connection is lost, so a frame written to a
 * connection that was dying is sent again on the next one (the receiver drops what it already
 * had by message id).
 *
 * Bound: the link counts these frames with its queue against `maxQueued`, so this holds at most
 * `maxQueued` frames. Acknowledged frames are let go in O(1) per acknowledgement: the array is
 * emptied when all are acknowledged and compacted when its acknowledged head outgrows the rest.
 */
export class ReplayBuffer {
  private frames: Frame[] = [];
  private head = 0;
  /** `msg` frames of this connection the peer has acknowledged (its last cumulative count). */
  private acked = 0;

  /** Frames written and not yet acknowledged. */
  get size(): number {
    return this.frames.length - this.head;
  }

  /**
   * Record what one write put on the connection: its `msg` frames, except those left out.
   * @param frames - the frames written, in order.
   * @param skipped - frames that were not sent after all (too large, not encodable).
   */
  written(frames: readonly { t: string }[], skipped: readonly unknown[] | undefined): void {
    for (const frame of frames) {
      if (frame.t !== 'msg' || (skipped !== undefined && skipped.includes(frame))) continue;
      this.frames.push(frame as Frame);
    }
  }

  /**
   * The peer has the first `n` `msg` frames of this connection: let them go.
   * @returns false if `n` is not a count the peer can have (below its last one, or above what
   *   was written): a protocol error.
   */
  acknowledge(n: number): boolean {
    const newly = n - this.acked;
    if (newly < 0 || newly > this.size) return false;
    this.acked = n;
    this.head += newly;
    if (this.head === this.frames.length) {
      this.frames.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  /** Every unacknowledged frame, oldest first; the buffer starts over for a new connection. */
  takeAll(): Frame[] {
    const out = this.head === 0 ? this.frames : this.frames.slice(this.head);
    this.frames = [];
    this.head = 0;
    this.acked = 0;
    return out;
  }
}
