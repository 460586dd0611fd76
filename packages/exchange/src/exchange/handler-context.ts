/**
 * What a handler gets besides its message: a context whose sends, requests and state changes
 * carry the handled message as their cause, so traces and `trace(id)` follow the chain.
 */
import type { Envelope, Hop } from './envelope.js';
import type { Exchange, HandlerContext, RequestOptions, SendOptions } from './exchange.js';

/** The context a handler gets: what it emits carries the handled message as its cause. */
export class Context implements HandlerContext {
  /** The trace a reply continues: the message's, then the last reply this handler received. */
  trace: Hop[];
  constructor(
    private readonly ex: Exchange,
    readonly msg: Envelope,
  ) {
    this.trace = msg.trace;
  }
  send(name: string, value?: unknown, options: SendOptions = {}): void {
    this.ex.send(name, value, { cause: this.msg, ...options });
  }
  async request<R>(name: string, value?: unknown, options: RequestOptions = {}): Promise<R> {
    const reply = await this.ex.requestMessage(name, value, { cause: this.msg, ...options });
    this.trace = reply.trace;
    return reply.value as R;
  }
  set(name: string, value: unknown): void {
    this.ex.set(name, value, { cause: this.msg });
  }
}

/** True for a promise or any other `then`-able a handler may return. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}
