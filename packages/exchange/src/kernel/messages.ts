/** The kernel's messages and its default error and unhandled routes. */
export const drainLimit = (max: number, names: string) =>
  `queue still busy after ${max} generations (pending: ${names}); a handler re-emits what it handles`;
export const full = (name: string, max: number) =>
  `signal ${name} refused: ${max} signals already queued (step or drain the queue)`;
export const taken = (name: string) => `signal ${name} already has an immediate handler`;

/* eslint-disable no-console -- the defaults are the documented last resort */
export const logError = (e: unknown, name: string) =>
  console.error(`[kernel] ${name} handler threw`, e);
export const logUnhandled = (name: string) =>
  console.warn(`[kernel] no handler takes signal ${name}`);
/* eslint-enable no-console */
