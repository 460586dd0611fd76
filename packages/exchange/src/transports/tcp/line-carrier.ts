import type { Socket } from 'node:net';
import { ExchangeError, toWireError } from '../../exchange/index.js';
import type { Carrier } from '../../transport/index.js';

const NEWLINE = 0x0a;
const CR = 0x0d;
/** How long a closing socket may take to flush its last lines (the bye) before it is dropped. */
const CLOSE_GRACE_MS = 2000;

/**
 * A carrier over a byte stream (a TCP or Unix socket): one line of JSON per transport message
 * (spec/protocol.md, "Transports"). JSON text never holds a raw newline, so `\n` is a safe
 * separator; it carries text only, so the link offers the `json` codec alone.
 *
 * A line longer than `maxBytes` is refused as soon as that many bytes have come without a
 * newline (a bye with `TOO_LARGE`, then the socket closes), so a peer cannot make this side
 * buffer without bound.
 * @param socket - a connected socket.
 * @param maxBytes - the longest line accepted, without its `\n` (the link's own `maxBytes`).
 */
export function lineCarrier(socket: Socket, maxBytes: number): Carrier {
  let closed = false;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let error: Error | undefined;
  // The link coalesces frames into lines itself; Nagle's delay would only add latency.
  socket.setNoDelay(true);

  const carrier: Carrier = {
    write(data) {
      if (closed) return;
      if (typeof data === 'string') socket.write(`${data}\n`);
      else socket.write(Buffer.concat([data, Buffer.from([NEWLINE])]));
    },
    get buffered() {
      return socket.writableLength;
    },
    binary: false,
    close(reason) {
      if (closed) return;
      closed = true;
      // end() flushes what was written (the link's bye) and then closes; a peer that never
      // finishes its side is dropped after a grace period.
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      carrier.onClose(reason);
    },
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
  };

  /** Refuse an over-long line: tell the peer why (the link cannot: it never saw the line). */
  const tooLong = (bytes: number) => {
    const e = new ExchangeError(
      'TOO_LARGE',
      `a line of over ${bytes} bytes is over the limit maxBytes = ${maxBytes}`,
      { data: { path: 'batch', limit: 'maxBytes', max: maxBytes } },
    );
    const reason = `${e.code}: ${e.message}`;
    socket.write(`${JSON.stringify([{ t: 'bye', reason, error: toWireError(e) }])}\n`);
    carrier.close(reason);
  };

  const line = (bytes: Buffer) => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--; // a CRLF client's line
    if (end === 0) return; // empty lines are ignored
    if (end > maxBytes) return tooLong(end);
    carrier.onData(end === bytes.length ? bytes : bytes.subarray(0, end));
  };

  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    while (!closed) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      let bytes = chunk.subarray(start, nl);
      if (partialBytes > 0) {
        bytes = Buffer.concat([...partial, bytes]);
        partial = [];
        partialBytes = 0;
      }
      start = nl + 1;
      line(bytes);
    }
    if (closed || start === chunk.length) return;
    partialBytes += chunk.length - start;
    // One more byte than the limit may be a line's trailing `\r`.
    if (partialBytes > maxBytes + 1) return tooLong(partialBytes);
    partial.push(chunk.subarray(start));
  });
  socket.on('drain', () => carrier.onDrain());
  socket.on('error', (e) => (error = e)); // 'close' follows and reports it
  socket.on('close', () => {
    if (closed) return;
    closed = true;
    carrier.onClose(error ? `connection lost: ${error.message}` : 'connection closed by peer');
  });
  return carrier;
}
