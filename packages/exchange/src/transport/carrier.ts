/**
 * What a wire transport gives the framed link: one open connection that moves whole transport
 * messages (a WebSocket, a newline-delimited socket, a child process channel). The link sets
 * the `on*` callbacks; the carrier calls them.
 */
export interface Carrier {
  /** Write one transport message. Never called after `close` or `onClose`. */
  write(data: string | Uint8Array): void;
  /** Bytes written but not yet handed to the OS (`ws.bufferedAmount`, `socket.writableLength`). */
  readonly buffered: number;
  /** True if the carrier can move binary messages (else the link uses a text codec only). */
  readonly binary: boolean;
  /** Close the connection; `onClose` follows. */
  close(reason: string): void;
  onData: (data: string | Uint8Array) => void;
  onClose: (reason: string) => void;
  /** Called when `buffered` has drained (if the carrier can tell; else the link polls). */
  onDrain: () => void;
}
