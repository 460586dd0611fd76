import { ExchangeError } from '../../exchange/index.js';

/**
 * Read a Server-Sent Events stream and hand each event's data to `onData`, in order. Only the
 * `data` field matters here (the hub's link stream sends nothing else but `:` comments); a
 * line ends with `\n` or `\r\n`. Fetch-based, so it runs in browsers and on Node alike.
 * @param body - the response body of a `text/event-stream` request.
 * @param onData - called with each event's data (its `data:` lines joined by `\n`).
 * @param maxChars - the longest event data accepted, in characters.
 * @returns when the stream ends; rejects if it fails or an event is longer than `maxChars`.
 * @throws {ExchangeError} `TOO_LARGE` for an event over `maxChars`.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onData: (data: string) => void,
  maxChars: number,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let size = 0;
  const tooLarge = () =>
    new ExchangeError('TOO_LARGE', `an event of the stream is over ${maxChars} characters`, {
      data: { max: maxChars },
    });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let start = 0;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
        const line =
          buffer.charCodeAt(end - 1) === 13
            ? buffer.slice(start, end - 1)
            : buffer.slice(start, end);
        start = end + 1;
        if (line === '') {
          if (data.length > 0) onData(data.join('\n'));
          data = [];
          size = 0;
        } else if (line.startsWith('data:')) {
          const text = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
          size += text.length;
          if (size > maxChars) throw tooLarge();
          data.push(text);
        }
        // Comments (`: ping`) and other fields (`id`, `event`, `retry`) mean nothing here.
      }
      buffer = buffer.slice(start);
      if (buffer.length > maxChars + 8) throw tooLarge();
    }
  } finally {
    reader.releaseLock();
  }
}
