import type { ChildProcess, Serializable } from 'node:child_process';
import type { MessagePort, Worker } from 'node:worker_threads';

/**
 * One end of a message channel to another process or thread: a forked child, a worker, or (on
 * the other side) the parent. Node's four channel objects differ in names and in how they tell
 * that the other side is gone; this is what the credit carrier needs from each.
 */
export interface Port {
  /** Post one message (structured-cloned; a string or bytes for data, an object for control). */
  post(message: unknown): void;
  /** Start delivering messages; `onGone` is called (once) when the other side disappears. */
  listen(onMessage: (message: unknown) => void, onGone: (reason: string) => void): void;
  /** Let go of the channel: stop listening, and close it once what was posted has gone out. */
  stop(): void;
}

/**
 * Posting a typed array clones its whole ArrayBuffer, and codecs hand out views of a larger
 * pooled buffer: send a copy of just the view's bytes.
 */
function tight(message: unknown): unknown {
  if (!(message instanceof Uint8Array)) return message;
  if (message.byteOffset === 0 && message.byteLength === message.buffer.byteLength) return message;
  return new Uint8Array(message);
}

/** How long a disconnect waits for the child's exit, whose reason says more. */
const EXIT_GRACE_MS = 100;

/** How a child process ended, for a close reason. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `child process killed by ${signal}` : `child process exited with code ${code}`;
}

/** The parent's end of a forked child's IPC channel. */
export function childPort(child: ChildProcess): Port {
  return sendPort(
    {
      send: (m, done) => child.send(m as Serializable, done),
      connected: () => child.connected,
      disconnect: () => child.disconnect(),
    },
    (onMessage, onGone) => {
      child.on('message', onMessage);
      // A dying child's channel closes a moment before it is reaped: wait briefly for the exit,
      // whose code or signal says more, before reporting the bare disconnect.
      let grace: ReturnType<typeof setTimeout> | undefined;
      child.once('disconnect', () => {
        grace = setTimeout(() => onGone('child process disconnected'), EXIT_GRACE_MS);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(grace);
        onGone(exitReason(code, signal));
      });
      child.on('error', (e) => onGone(`child process failed: ${e.message}`));
      return () => child.off('message', onMessage);
    },
  );
}

/** A forked child's end of its channel to the parent (`process.send`). */
export function processPort(): Port {
  return sendPort(
    {
      send: (m, done) => process.send!(m, undefined, {}, done),
      connected: () => process.connected,
      disconnect: () => process.disconnect(),
    },
    (onMessage, onGone) => {
      process.on('message', onMessage);
      process.once('disconnect', () => onGone('the parent process disconnected'));
      return () => process.off('message', onMessage);
    },
  );
}

interface Sender {
  send(message: unknown, done: (error: Error | null) => void): void;
  connected(): boolean;
  disconnect(): void;
}

/**
 * A port over a child process channel. `send` is asynchronous: the channel is disconnected only
 * once the last message (the link's bye) has been written, or that message would be lost.
 */
function sendPort(
  sender: Sender,
  start: (onMessage: (m: unknown) => void, onGone: (reason: string) => void) => () => void,
): Port {
  let pending = 0;
  let stopping = false;
  let unlisten = () => {};
  const disconnect = () => {
    if (sender.connected()) sender.disconnect();
  };
  return {
    post(message) {
      if (!sender.connected()) return;
      pending++;
      // With a callback, a failed send is reported to it (the channel closing), not as an
      // 'error' event; the close itself is noticed through 'disconnect'.
      sender.send(message, () => {
        if (--pending === 0 && stopping) disconnect();
      });
    },
    listen(onMessage, onGone) {
      unlisten = start(onMessage, onGone);
    },
    stop() {
      unlisten();
      stopping = true;
      if (pending === 0) disconnect();
    },
  };
}

/** The parent's end of a worker thread's channel. */
export function workerPort(worker: Worker): Port {
  let unlisten = () => {};
  return {
    post: (message) => worker.postMessage(tight(message)),
    listen(onMessage, onGone) {
      worker.on('message', onMessage);
      worker.once('exit', (code) => onGone(`worker exited with code ${code}`));
      worker.on('error', (e) => onGone(`worker failed: ${e.message}`));
      worker.on('messageerror', (e) => onGone(`worker message could not be read: ${e.message}`));
      unlisten = () => worker.off('message', onMessage);
    },
    stop: () => unlisten(),
  };
}

/**
 * A worker's end of its channel to the parent (`worker_threads.parentPort`). Without a
 * 'message' listener the port no longer keeps the worker alive, so `stop` lets it exit.
 */
export function parentThreadPort(port: MessagePort): Port {
  let unlisten = () => {};
  return {
    post: (message) => port.postMessage(tight(message)),
    listen(onMessage, onGone) {
      port.on('message', onMessage);
      port.once('close', () => onGone('the parent thread closed the channel'));
      unlisten = () => port.off('message', onMessage);
    },
    stop: () => unlisten(),
  };
}
