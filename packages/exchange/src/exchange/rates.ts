/** Messages per second, from counters sampled whenever someone asks (no timer of its own). */
export interface Rates {
  in: number;
  out: number;
  sent: number;
  /** The seconds the rates were averaged over (0 before there is a window). */
  window: number;
}

interface Sample {
  at: number;
  in: number;
  out: number;
  sent: number;
}

/**
 * Rates over the last `windowMs` or more: each call records a sample and compares with the
 * newest sample at least `windowMs` old (or the oldest kept). At most `maxSamples` are kept.
 */
export class RateMeter {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly windowMs = 1000,
    private readonly maxSamples = 16,
  ) {}

  read(now: number, counters: { in: number; out: number; sent: number }): Rates {
    const current = { at: now, in: counters.in, out: counters.out, sent: counters.sent };
    let base: Sample | undefined;
    for (const s of this.samples) if (now - s.at >= this.windowMs || base === undefined) base = s;
    const last = this.samples[this.samples.length - 1];
    if (last === undefined || now - last.at >= this.windowMs / 4) {
      this.samples.push(current);
      if (this.samples.length > this.maxSamples) this.samples.shift();
    }
    if (base === undefined || now <= base.at) return { in: 0, out: 0, sent: 0, window: 0 };
    const seconds = (now - base.at) / 1000;
    const rate = (a: number, b: number) => Math.round((a - b) / seconds);
    return {
      in: rate(current.in, base.in),
      out: rate(current.out, base.out),
      sent: rate(current.sent, base.sent),
      window: Math.round(seconds * 1000) / 1000,
    };
  }
}
