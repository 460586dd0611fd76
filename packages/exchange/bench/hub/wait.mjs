// Bounded waits, shared by the runner and the client processes: nothing in the hub benchmark waits
// without a limit, so a stuck system turns into a reported failure instead of a hang.

/** A wait ran out of time. */
export class TimeoutError extends Error {
  name = 'TimeoutError';
}

/** `promise`, or a TimeoutError naming `what` once `ms` have passed. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first of `ok` or `fail` (an error) emitted by `emitter`, within `ms`. */
export function onceEvent(emitter, ok, fail, ms, what) {
  let cleanup;
  const settled = new Promise((resolve, reject) => {
    const onOk = (value) => (cleanup(), resolve(value));
    const onFail = (error) => (
      cleanup(),
      reject(error instanceof Error ? error : new Error(String(error)))
    );
    cleanup = () => (emitter.off(ok, onOk), emitter.off(fail, onFail));
    emitter.once(ok, onOk);
    emitter.once(fail, onFail);
  });
  return withTimeout(settled, ms, what).finally(() => cleanup());
}

/** A monotonic clock in microseconds that all processes on the machine share (CLOCK_MONOTONIC). */
export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
