/**
 * Type tests for typed names: checked by `npm run typecheck` (`expectTypeOf`, and every
 * `@ts-expect-error` line must really be an error). The runtime parts also run under vitest, so
 * the typed calls are shown to work on the one runtime class.
 */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  exchange,
  type Envelope,
  type Exchange,
  type Observation,
  type TypedExchange,
  type ExchangeInitFor,
  type TypedPeer,
} from '../../src/index.js';
import { link } from './network.js';

interface Order {
  id: string;
  total: number;
}

interface Names {
  'users.list': { value: { limit: number }; reply: string[] };
  'orders.created': { value: Order };
  /** No value; a reply. */
  'cache.clear': { reply: number };
  /** A value that may be left out. */
  'log.flush': { value?: string; reply: boolean };
}

const USERS = ['ada', 'linus', 'grace'];

const open: Exchange[] = [];
afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
});

/** A typed exchange, closed after the test. */
function typed(init: ExchangeInitFor<Names>): TypedExchange<Names> {
  const ex = exchange<Names>(init);
  open.push(ex);
  return ex;
}

/** A typed exchange that handles `users.list` and `cache.clear`. */
function typedServer(id: string): TypedExchange<Names> {
  return typed({
    id,
    handlers: {
      'users.list': (msg) => {
        expectTypeOf(msg.value).toEqualTypeOf<{ limit: number }>();
        return USERS.slice(0, msg.value.limit);
      },
      'cache.clear': () => 3,
    },
  });
}

describe('typed names', () => {
  it('exchange() without a map is the plain Exchange, with unknown values', async () => {
    const plain = exchange({ id: 'plain', handlers: { 'x.y': (msg) => msg.value } });
    open.push(plain);
    expectTypeOf(plain).toEqualTypeOf<Exchange>();
    expectTypeOf(plain.request('x.y', 1)).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(plain.request<number>('x.y', 1)).toEqualTypeOf<Promise<number>>();
    plain.on('x.y', (msg) => expectTypeOf(msg.value).toBeUnknown());
    expectTypeOf(plain.observe('x.*')).toEqualTypeOf<Observation>();
    await expect(plain.request('x.y', 7)).resolves.toBe(7);
  });

  it('request resolves with the reply type; handlers are typed by name', async () => {
    const server = typedServer('server');
    const client = typed({ id: 'client' });
    const peer = await client.connect({ transport: 'local', exchange: server });
    expectTypeOf(peer).toEqualTypeOf<TypedPeer<Names>>();

    const users = await client.request('users.list', { limit: 2 });
    expectTypeOf(users).toEqualTypeOf<string[]>();
    expect(users).toEqual(['ada', 'linus']);

    // A name without a value takes none; its reply is typed.
    const cleared = await peer.request('cache.clear');
    expectTypeOf(cleared).toEqualTypeOf<number>();
    expect(cleared).toBe(3);

    const reply = await client.requestMessage('users.list', { limit: 1 });
    expectTypeOf(reply).toEqualTypeOf<Envelope<string[]>>();
    expect(reply.value).toEqual(['ada']);
  });

  it('on and observe type the value of an exact name; patterns and unknown names get unknown', async () => {
    const ex = typed({ id: 'obs' });
    const seen: Order[] = [];
    const off = ex.on('orders.created', (msg) => {
      expectTypeOf(msg.value).toEqualTypeOf<Order>();
      seen.push(msg.value);
    });
    ex.on('orders.*', (msg) => expectTypeOf(msg.value).toBeUnknown());
    ex.on('not.in.map', (msg) => expectTypeOf(msg.value).toBeUnknown());
    expectTypeOf(ex.observe('orders.created')).toEqualTypeOf<Observation<Order>>();
    expectTypeOf(ex.observe('orders.>')).toEqualTypeOf<Observation<unknown>>();

    const order = { id: 'o1', total: 10 };
    expectTypeOf(ex.send('orders.created', order)).toEqualTypeOf<Envelope<Order>>();
    // Names not in the map take any value.
    ex.send('audit.entry', { anything: true });
    expect(seen).toEqual([order]);
    off();
  });

  it('handler contexts and peers are typed too', async () => {
    const server = typedServer('back');
    const front = typed({
      id: 'front',
      handlers: {
        'log.flush': async (_msg, ctx) => {
          const users = await ctx.request('users.list', { limit: 3 });
          expectTypeOf(users).toEqualTypeOf<string[]>();
          return users.length === 3;
        },
      },
    });
    await link(front, server);
    await expect(front.request('log.flush')).resolves.toBe(true);
    await expect(front.peer('back')!.request('users.list', { limit: 1 })).resolves.toEqual(['ada']);
  });

  it('a typed exchange goes wherever an Exchange does', () => {
    expectTypeOf<TypedExchange<Names>>().toExtend<Exchange>();
    expectTypeOf<TypedPeer<Names>>().toExtend<NonNullable<ReturnType<Exchange['peer']>>>();
  });
});

// Never called: these lines exist for the type checker, which must reject each marked one.
export async function rejectedAtCompileTime(
  ex: TypedExchange<Names>,
  peer: TypedPeer<Names>,
): Promise<void> {
  // @ts-expect-error a string is not an Order
  ex.send('orders.created', 'wrong');
  // @ts-expect-error the value of orders.created is required
  ex.send('orders.created');
  // @ts-expect-error total is missing
  ex.broadcast('orders.created', { id: 'o1' });
  // @ts-expect-error limit is a number
  void ex.request('users.list', { limit: 'x' });
  // @ts-expect-error the reply is string[], not number
  const n: number = await ex.request('users.list', { limit: 1 });
  // @ts-expect-error the handler must return string[]
  ex.handle('users.list', () => 42);
  // @ts-expect-error msg.value is { limit: number }
  ex.handle('users.list', (msg) => [msg.value.lim]);
  // @ts-expect-error msg.value is an Order
  ex.on('orders.created', (msg) => msg.value.missing);
  // @ts-expect-error peers check values too
  peer.send('orders.created', 1);
  // @ts-expect-error and replies
  const m: number = await peer.request('users.list', { limit: 1 });
  exchange<Names>({
    id: 'x',
    // @ts-expect-error an init handler must return its name's reply
    handlers: { 'cache.clear': () => 'not a number' },
  });
  exchange<Names>({
    id: 'y',
    // @ts-expect-error init handlers take the map's names; patterns go through ex.handle
    handlers: { 'orders.*': () => undefined },
  });
  ex.handle('orders.*', (msg) => expectTypeOf(msg.value).toBeUnknown());
  return void [n, m];
}
