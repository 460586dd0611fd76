// Connection churn: short-lived clients, each connect → observe → send → close.
import { exchange } from '../library.mjs';

export const commands = {
  /** Run `cycles` cycles, `concurrency` at a time; progress every 500 ms. */
  async run({ url, cycles, concurrency = 200, send = 'churn.msg', prefix = 'churn-' }, emit) {
    const t0 = performance.now();
    let next = 0;
    let done = 0;
    let failed = 0;
    let firstError;
    const progress = setInterval(() => emit('progress', { done, failed }), 500);
    const worker = async () => {
      while (next < cycles) {
        const i = next++;
        const ex = exchange({ id: `${prefix}${i}` });
        try {
          ex.on(`churn.c.${i}`, () => {});
          await ex.connect({ transport: 'websocket', url, reconnect: false });
          ex.send(send, { seq: i });
          done++;
        } catch (e) {
          failed++;
          firstError ??= `${e.code ?? ''} ${e.message}`;
        } finally {
          ex.close();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    clearInterval(progress);
    return { done, failed, firstError, ms: performance.now() - t0 };
  },
};
