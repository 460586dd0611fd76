/**
 * `exchange/kernel`: the signal kernel every layer of Exchange runs on. A named signal goes to
 * one immediate handler (run synchronously, its result returned) and/or queued handlers (run in
 * order when the queue is stepped). Hooks see every signal and handler run.
 *
 * @example
 * import { kernel } from 'exchange/kernel';
 * const k = kernel();
 * k.handle('double', (n: number) => n * 2, { immediate: true });
 * k.handle('log', (line: string) => console.log(line));
 * k.sig('double', 21); // 42
 * k.sig('log', 'later');
 * k.drain(); // prints "later"
 */
export { kernel } from './kernel.js';
export { KernelError } from './error.js';
export type { Kernel, KernelInit, KernelHooks, Handler, HandleOptions, Channel } from './types.js';
