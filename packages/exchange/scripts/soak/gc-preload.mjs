// Preloaded into a hub (`node --expose-gc --import gc-preload.mjs …/main.js serve`) by the soak:
// SIGUSR2 runs a full garbage collection and prints the memory that is left on stderr, so the
// harness compares live memory, not whatever V8 has not collected yet. The hub itself is unchanged.
const MiB = 1024 * 1024;
process.on('SIGUSR2', () => {
  // Two passes: the first may only queue finalizers (ws sockets, timers) whose objects the
  // second frees.
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  const reading = { rss: m.rss / MiB, heapUsed: m.heapUsed / MiB, external: m.external / MiB };
  process.stderr.write(`SOAK_GC ${JSON.stringify(reading)}\n`);
});
