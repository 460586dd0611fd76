import type { Carrier } from '../../transport/index.js';

/**
 * The part of a WebSocket the transport uses: what the browser's `WebSocket` and the `ws`
 * package's both have, so one carrier serves Node and browsers (no Node built-ins here).
 */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/**
 * The `ws` package's socket is also an EventEmitter: its 'message' event hands the data over
 * as it is, where `onmessage` wraps each message in an event object and two functions.
 */
interface NodeWebSocket extends WebSocketLike {
  on(event: 'message', listener: (data: Uint8Array, isBinary: boolean) => void): unknown;
}

/** A `ws` socket that hands over Buffers (its default): other binary types use `onmessage`. */
const isNodeWebSocket = (socket: WebSocketLike): socket is NodeWebSocket =>
  typeof (socket as Partial<NodeWebSocket>).on === 'function' && socket.binaryType === 'nodebuffer';

/** Close codes: 1000 normal; 1008 policy (protocol error) is sent by the framed link's bye. */
export const NORMAL_CLOSURE = 1000;
/** A close reason must fit in 123 bytes of UTF-8. */
const MAX_REASON = 120;
const utf8 = new TextDecoder();

/** A carrier over an open WebSocket: one WebSocket message per transport message. */
export function socketCarrier(socket: WebSocketLike): Carrier {
  // Node's `ws` hands over Buffers by default (Uint8Arrays, no copy); browsers would make Blobs.
  if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
  const carrier: Carrier = {
    write: (data) => socket.send(data),
    get buffered() {
      return socket.bufferedAmount;
    },
    binary: true,
    close: (reason) => socket.close(NORMAL_CLOSURE, shorten(reason)),
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
  };
  if (isNodeWebSocket(socket)) {
    // Buffers (binaryType 'nodebuffer'), handed on as they are: the MessagePack reader slices
    // strings out of a Buffer faster. A text message is a Buffer of its UTF-8.
    socket.on('message', (data, isBinary) => {
      if (isBinary) carrier.onData(data);
      else carrier.onData(utf8.decode(data));
    });
  } else
    socket.onmessage = (event) => {
      const data = event.data;
      if (typeof data === 'string') carrier.onData(data);
      else if (data instanceof ArrayBuffer) carrier.onData(new Uint8Array(data));
      else if (ArrayBuffer.isView(data))
        carrier.onData(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    };
  socket.onclose = (event) =>
    carrier.onClose(event.reason ? event.reason : `connection closed (code ${event.code})`);
  socket.onerror = () => {}; // a close event follows every error
  return carrier;
}

/** A close reason cut to fit a close frame (123 bytes of UTF-8). */
export function shorten(reason: string): string {
  if (reason.length <= MAX_REASON / 3) return reason;
  let out = reason.slice(0, MAX_REASON);
  while (new TextEncoder().encode(out).byteLength > MAX_REASON) out = out.slice(0, -1);
  return out;
}
