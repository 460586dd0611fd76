/* eslint-disable no-console -- auto.js's diagnostics are console output by design (spec §15, §17) */

/** Console output of one auto instance, prefixed with `[tag] ` when the `tag` option is set. */
export class AutoLogger {
  private readonly prefix: string;
  constructor(tag: string | undefined) {
    this.prefix = tag ? `[${tag}] ` : '';
  }
  log(...args: unknown[]): void {
    if (this.prefix) console.log(this.prefix, ...args);
    else console.log(...args);
  }
  warn(...args: unknown[]): void {
    console.warn(this.prefix, ...args);
  }
  error(...args: unknown[]): void {
    console.error(this.prefix, ...args);
  }
  trace(message: string): void {
    console.trace(this.prefix + message);
  }
}
