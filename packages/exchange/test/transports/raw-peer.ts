// A peer written by hand for the transport tests: lines of JSON over a TCP socket, as a client in
// another language would speak the protocol (spec/protocol.md). It records every frame it gets.
import { connect, type Socket } from 'node:net';

export type RawFrame = { t: string } & Record<string, unknown>;

export function message(from: string, i: number): RawFrame {
  const ts = Date.now();
  const env = { id: `${from}:x.0:${i}`, kind: 'msg', name: 'tick', from, ts, value: i };
  return { t: 'msg', mode: 2, env: { ...env, trace: [{ ex: from, at: ts }] } };
}

/** Calls `onBatch` with each line of JSON (one transport message: a batch of frames) `socket` reads. */
export function readBatches(socket: Socket, onBatch: (batch: RawFrame[]) => void): void {
  let partial = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) onBatch(JSON.parse(line) as RawFrame[]);
  });
}

/** Writes one transport message: a batch of frames as a line of JSON. */
export function writeBatch(socket: Socket, batch: RawFrame[]): boolean {
  return socket.write(`${JSON.stringify(batch)}\n`);
}

/** One side of a TCP connection speaking lines of JSON by hand; it records every frame. */
export function rawLine(socket: Socket) {
  const frames: RawFrame[] = [];
  const batches: RawFrame[][] = [];
  const waiting: (() => void)[] = [];
  readBatches(socket, (batch) => {
    batches.push(batch);
    frames.push(...batch);
    for (const wake of waiting.splice(0)) wake();
  });
  let read = 0;
  let readFrames = 0;
  const wait = async (ready: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!ready()) {
      if (Date.now() > end || socket.destroyed) throw new Error('no more frames from the peer');
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  return {
    socket,
    frames,
    close: () => socket.destroy(),
    send: (batch: RawFrame[]) => writeBatch(socket, batch),
    /** The next batch not read yet. */
    async next(): Promise<RawFrame[]> {
      await wait(() => batches.length > read);
      return batches[read++];
    },
    /** The next frame of kind `t` after those already read this way. */
    async nextFrame(t: string, ms?: number): Promise<RawFrame> {
      let found = -1;
      await wait(() => (found = frames.findIndex((f, i) => i >= readFrames && f.t === t)) >= 0, ms);
      readFrames = found + 1;
      return frames[found];
    },
  };
}

export async function rawPeer(port: number) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  return rawLine(socket);
}

export type RawLine = ReturnType<typeof rawLine>;
