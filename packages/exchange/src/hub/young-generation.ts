/**
 * V8's young generation in a process that runs a hub. V8 doubles its semi-spaces (up to 16 MiB
 * each) while many new objects survive, as they do while connections open; a hub's heap is
 * mostly long-lived per-connection state, so the grown space stays resident for the rest of its
 * life. With 1,000 idle WebSocket clients that was 12 of the hub's 21-25 KiB of RSS per
 * connection; kept at the size it has at start, 13.5-14.8 KiB, and no throughput lost in the hub
 * scenarios (bench/README.md). The setting is process-wide, so only `exchange serve` makes it,
 * for its own process.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Stop V8 from growing the young generation past the size it has now (a few MiB). Sets a V8 flag
 * that V8 reads each time it would grow; Node allows flags to change after start (a Node that
 * ignored it would print a warning, and the young generation would grow as before).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
