// How a framed link writes a batch when something goes wrong: a frame over the peer's maxBytes,
// a value the codec cannot encode, a carrier that throws. A carrier in memory stands in for the
// socket, so that each failure can be made to happen at a chosen write.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/exchange/index.js';
import type { Carrier } from '../../src/transport/index.js';
import { FramedLink } from '../../src/transport/framed-link.js';
import { msgpackCompactCodec } from '../../src/wire/index.js';

const codec = msgpackCompactCodec();

/** A link past its handshake (msgpack-compact, the peer's maxBytes 65,536), and what it wrote. */
function openLink(failOnWrite = 0) {
  const written: string[][] = [];
  let writes = 0;
  const carrier: Carrier = {
    binary: true,
    buffered: 0,
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
    close: () => {},
    write(data) {
      if (++writes === failOnWrite) throw new Error('carrier failed');
      if (typeof data === 'string') return; // the hello
      written.push(codec.decode(data).map((f) => (f.t === 'msg' ? f.env.id : f.t)));
    },
  };
  const link = new FramedLink({ role: 'initiator', codecs: ['msgpack-compact'], acks: false });
  const undeliverable: [string, string][] = [];
  link.onUndeliverable = (frame, error) =>
    undeliverable.push([
      frame.t === 'msg' ? frame.env.id : frame.t,
      (error as { code?: string }).code ?? '',
    ]);
  link.send({ t: 'hello', protocol: 1, id: 'a', adverts: [] });
  link.use(carrier);
  const hello = {
    t: 'hello',
    protocol: 1,
    id: 'b',
    adverts: [],
    codec: 'msgpack-compact',
    maxBytes: 65_536,
    heartbeat: 0,
  };
  carrier.onData(JSON.stringify([hello]));
  writes = 0; // count from the first batch
  return { link, written, undeliverable };
}

const msg = (id: string, value: unknown): Frame => ({
  t: 'msg',
  mode: 1,
  env: {
    id,
    kind: 'msg',
    name: 'x.y',
    value,
    from: 'a',
    ts: 1,
    trace: [{ ex: 'a', at: 1 }],
  },
});
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('framed link writes', () => {
  it('reports a frame too large once, next to one the codec cannot encode, and sends the rest', async () => {
    const { link, written, undeliverable } = openLink();
    link.send(msg('a:1', 10n));
    link.send(msg('a:2', 'v'.repeat(70_000)));
    link.send(msg('a:3', 'small'));
    await turn();
    expect(undeliverable).toEqual([
      ['a:1', 'BAD_MESSAGE'],
      ['a:2', 'TOO_LARGE'],
    ]);
    expect(written.flat()).toEqual(['a:3']);
  });

  it('passes a carrier failure up without writing a message twice', () => {
    const { link, written } = openLink(2);
    // 32 frames go out at once (a chunk), in messages of two: the carrier fails on the second.
    const send = () => {
      for (let i = 0; i < 32; i++) link.send(msg(`a:${i}`, 'v'.repeat(30_000)));
    };
    expect(send).toThrow('carrier failed');
    expect(written).toEqual([['a:0', 'a:1']]);
  });
});
