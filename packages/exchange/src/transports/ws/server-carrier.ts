/**
 * The carrier of a WebSocket a listener accepted with the `ws` package: what socket-carrier.ts
 * does for any WebSocket, made cheap to hold by the thousand. A hub keeps one per idle peer,
 * so the socket's events go to functions shared by every connection (the socket is `this`)
 * rather than to closures per socket, and `ws`'s browser-style `on*` setters, which wrap each
 * handler in two more functions, are not used.
 */
import type { WebSocket } from 'ws';
import type { Carrier, FramedLink } from '../../transport/index.js';
import { NORMAL_CLOSURE, shorten } from './socket-carrier.js';

const CARRIER = Symbol('exchange.carrier');
type Carried = WebSocket & { [CARRIER]: ServerCarrier };

const ignore = (): void => {};

/**
 * One accepted socket and the link on it. It is in `open` from its creation until the socket
 * closes, so the listener can close every link and then end every socket.
 */
export class ServerCarrier implements Carrier {
  onData: (data: string | Uint8Array) => void = ignore;
  onClose: (reason: string) => void = ignore;
  onDrain: () => void = ignore;

  constructor(
    readonly socket: WebSocket,
    readonly link: FramedLink,
    private readonly open: Set<ServerCarrier>,
  ) {
    (socket as Carried)[CARRIER] = this;
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', ignore); // a close event follows every error
    open.add(this);
  }

  get binary(): boolean {
    return true;
  }

  get buffered(): number {
    return this.socket.bufferedAmount;
  }

  write(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  close(reason: string): void {
    this.socket.close(NORMAL_CLOSURE, shorten(reason));
  }

  /** The socket closed: out of `open`, and the link is told. */
  closed(code: number, reason: Buffer): void {
    this.open.delete(this);
    const why = reason.toString();
    this.onClose(why ? why : `connection closed (code ${code})`);
  }
}

/** Binary messages come as Buffers (`binaryType` 'nodebuffer'), text ones as Buffers of UTF-8. */
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  const carrier = (this as Carried)[CARRIER];
  // The Buffer as it is (a Uint8Array): the MessagePack reader slices strings out of a Buffer faster.
  if (isBinary) carrier.onData(data);
  else carrier.onData(data.toString());
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as Carried)[CARRIER].closed(code, reason);
}
