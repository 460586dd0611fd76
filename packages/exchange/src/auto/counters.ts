import type { AutoLogger } from './logger.js';
import type { CountOptions } from './types.js';

interface Count {
  update: number;
  setter: number;
  clear: number;
}

/** Lets a diagnostic timer run without keeping a Node process alive (a no-op in browsers). */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/**
 * The `count` option: per-computed counters printed as `[access counts]`, sorted by total, once
 * after `interval` ms or every `repeat` ms, then reset. Unlike the reference, computeds added
 * later with `add_dynamic` get a counter too (the reference throws there).
 */
export class Counters {
  private readonly counts = new Map<string, Count>();

  constructor(
    private readonly opt: CountOptions,
    private readonly logger: AutoLogger,
  ) {
    const print = () => this.print();
    unref(opt.repeat ? setInterval(print, opt.repeat) : setTimeout(print, opt.interval));
  }

  track(name: string): void {
    if (!this.counts.has(name)) this.counts.set(name, { update: 0, setter: 0, clear: 0 });
  }
  update(name: string): void {
    const c = this.counts.get(name);
    if (c) c.update++;
  }
  setter(name: string): void {
    const c = this.counts.get(name);
    if (c) c.setter++;
  }
  clear(name: string): void {
    const c = this.counts.get(name);
    if (c) c.clear++;
  }

  print(): void {
    const total = (c: Count) => c.update + c.setter + c.clear;
    let rows = [...this.counts].sort((a, b) => total(b[1]) - total(a[1]));
    if (this.opt.max !== undefined) rows = rows.filter(([, c]) => total(c) > this.opt.max!);
    if (this.opt.top !== undefined) rows = rows.slice(0, this.opt.top);
    this.logger.log('[access counts]');
    for (const [name, c] of rows)
      this.logger.log(`  ${name}: update ${c.update}, setter ${c.setter}, clear ${c.clear}`);
    for (const c of this.counts.values()) c.update = c.setter = c.clear = 0;
  }
}
