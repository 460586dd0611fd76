import type { Carrier } from '../../transport/index.js';
import { readEvents } from './sse-reader.js';

/** What a session's carrier needs: where to post, what to read, and the limits. */
export interface FetchCarrierInit {
  /** `…/link/{session}`: POST sends transport messages there. */
  url: string;
  /** The body of the session's event stream (`GET …/link/{session}`). */
  events: ReadableStream<Uint8Array>;
  /** Aborting it ends the event stream. */
  stop: AbortController;
  /** The hub's largest POST body, in bytes (from `POST /link`). */
  maxPost: number;
  /** Largest transport message accepted from the hub, in bytes. */
  maxBytes: number;
  /** Extra time a last POST (the `bye`) may take after `close`, in ms. */
  closeTimeout?: number;
}

/**
 * A carrier over one HTTP session, with `fetch` only (no Node built-ins, so it runs in browsers
 * too): transport messages to the hub go in POSTs, one message per line, with one POST in
 * flight at a time so they arrive in order; the hub's come as events of a stream. `buffered`
 * counts what is queued or in flight, so the framed link's `maxBuffered` bounds it.
 * @param init - the session's URL, its stream and the limits.
 * @returns the carrier; it closes when the stream ends or a POST fails.
 */
export function fetchCarrier(init: FetchCarrierInit): Carrier {
  let queue: string[] = [];
  let queuedBytes = 0;
  let inFlight = 0;
  let posting: Promise<void> | undefined;
  let closed = false;

  const carrier: Carrier = {
    binary: false,
    get buffered() {
      return queuedBytes + inFlight;
    },
    write(data) {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
      queue.push(text);
      queuedBytes += utf8Length(text) + 1;
      posting ??= Promise.resolve().then(post);
    },
    close(reason) {
      end(reason);
    },
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
  };

  /** Send what is queued, at most `maxPost` bytes per POST, until nothing is left. */
  async function post(): Promise<void> {
    while (queue.length > 0) {
      const batch = take();
      try {
        const res = await fetch(init.url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: batch.join('\n'),
          ...(closed ? { signal: AbortSignal.timeout(init.closeTimeout ?? 2000) } : {}),
        });
        inFlight = 0;
        if (!res.ok) return end(`the hub refused a POST: ${res.status} ${await reason(res)}`);
        if (queue.length === 0 && !closed) carrier.onDrain();
      } catch (e) {
        inFlight = 0;
        return end(`a POST failed: ${(e as Error).message}`);
      }
    }
    posting = undefined;
  }

  /** The oldest queued messages that fit in one POST (one at least). */
  function take(): string[] {
    let bytes = 0;
    let n = 0;
    while (n < queue.length) {
      const size = utf8Length(queue[n]) + 1;
      if (n > 0 && bytes + size > init.maxPost + 1) break;
      bytes += size;
      n++;
    }
    const batch = queue.slice(0, n);
    queue = queue.slice(n);
    queuedBytes -= bytes;
    inFlight = bytes;
    return batch;
  }

  /** Closed by the link or lost: tell the link once; a last POST (its bye) may still go. */
  function end(why: string): void {
    if (closed) return;
    closed = true;
    // The bye the link wrote just before closing goes first; then the stream ends.
    void (posting ?? Promise.resolve()).finally(() => init.stop.abort());
    queueMicrotask(() => carrier.onClose(why));
  }

  const receive = (data: string) => {
    if (!closed) carrier.onData(data);
  };
  readEvents(init.events, receive, init.maxBytes).then(
    () => end('the hub ended the event stream'),
    (e: unknown) => end(`the event stream failed: ${(e as Error).message}`),
  );
  return carrier;
}

/** The first part of an error response, for the close reason. */
async function reason(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 200);
  } catch {
    return '';
  }
}

/** Bytes of `s` in UTF-8, without encoding it. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 1; // a surrogate pair: 4 bytes for its 2 units
      i++;
    } else n += 2;
  }
  return n;
}
