import { cloneEnvelope, type Frame, type Link, type LinkState } from '../../exchange/index.js';

/** Options of an in-process link pair. */
export interface LocalLinkInit {
  /** Frames queued before `send` returns false (the overflow policy: refuse the newest). @default 100000 */
  maxQueued?: number;
  /** Queue length at which the sender is told it is congested. @default 10000 */
  highWater?: number;
}

const resolved = Promise.resolve();

/**
 * One side of an in-process link. Frames are queued and delivered together on a microtask, so a
 * burst of sends costs one scheduling, as a real transport coalesces a burst into one write.
 */
class LocalLink implements Link {
  state: LinkState = 'open';
  other!: LocalLink;
  onFrame: (frame: Frame) => void = () => {};
  onClose: (reason: string) => void = () => {};
  onCongested: (congested: boolean) => void = () => {};
  private queue: Frame[] = [];
  private scheduled = false;
  private congested = false;

  constructor(
    private readonly maxQueued: number,
    private readonly highWater: number,
  ) {}

  send(frame: Frame): boolean {
    if (this.state === 'closed') return false;
    if (this.queue.length >= this.maxQueued) return false;
    // The receiver owns what it gets (it appends its trace hop): hand over a copy, as a wire
    // transport hands over a freshly decoded frame.
    // (The frame object itself is ours: senders make one per send.)
    if (frame.t === 'msg') frame.env = cloneEnvelope(frame.env);
    this.queue.push(frame);
    if (!this.congested && this.queue.length >= this.highWater) {
      this.congested = true;
      this.onCongested(true);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      void resolved.then(() => this.flush());
    }
    return true;
  }

  private flush(): void {
    this.scheduled = false;
    const frames = this.queue;
    this.queue = [];
    if (this.congested) {
      this.congested = false;
      this.onCongested(false);
    }
    for (const frame of frames) {
      if (this.other.state === 'closed') return;
      this.other.onFrame(frame);
    }
  }

  close(reason = 'closed'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue = [];
    this.other.close(reason);
    this.onClose(reason);
  }
}

/** Two connected in-process links: what one side sends, the other receives. */
export function localLinkPair(init: LocalLinkInit = {}): [Link, Link] {
  const { maxQueued = 100_000, highWater = 10_000 } = init;
  const a = new LocalLink(maxQueued, highWater);
  const b = new LocalLink(maxQueued, highWater);
  a.other = b;
  b.other = a;
  return [a, b];
}
