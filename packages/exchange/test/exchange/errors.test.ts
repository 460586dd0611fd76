import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CancelledError,
  ERROR_CODES,
  ExchangeError,
  fromWireError,
  InvalidNameError,
  isErrorCode,
  isExchangeError,
  NoRouteError,
  RemoteError,
  TimeoutError,
  toWireError,
} from '../../src/exchange/errors.js';
import type { ErrorCode, WireError } from '../../src/exchange/errors.js';

/** The codes with their own class, each built the way code that throws it would. */
const SPECIAL: Partial<Record<ErrorCode, () => ExchangeError>> = {
  NO_ROUTE: () => new NoRouteError('db.query'),
  TIMEOUT: () => new TimeoutError('db.query', 250),
  REMOTE: () => new RemoteError({ code: 'FORBIDDEN', message: 'no', data: { role: 'guest' } }),
  CANCELLED: () => new CancelledError('caller aborted', { data: { reason: 'user' } }),
  INVALID_NAME: () => new InvalidNameError("empty token at position 2 in 'a..b'", 'a..b'),
};

/** One error of every code. */
const oneOfEach = (): ExchangeError[] =>
  ERROR_CODES.map(
    (code) =>
      SPECIAL[code]?.() ??
      new ExchangeError(code, `${code.toLowerCase()} happened`, { data: { n: 1 } }),
  );

const CLASS_OF: Partial<Record<ErrorCode, new (...args: never[]) => ExchangeError>> = {
  NO_ROUTE: NoRouteError,
  TIMEOUT: TimeoutError,
  REMOTE: RemoteError,
  CANCELLED: CancelledError,
  INVALID_NAME: InvalidNameError,
};

/** What survives the wire: everything but stack and cause. */
const visible = (e: ExchangeError) => ({
  class: e.constructor,
  name: e.name,
  code: e.code,
  message: e.message,
  data: e.data,
  remoteCode: (e as Partial<RemoteError>).remoteCode,
});

describe('ExchangeError', () => {
  it('has a code, a stable name, data, and is an Error', () => {
    const e = new ExchangeError('FORBIDDEN', 'not yours', { data: { need: 'admin' } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ExchangeError');
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toBe('not yours');
    expect(e.data).toEqual({ need: 'admin' });
    expect(String(e)).toBe('ExchangeError: not yours');
  });

  it('keeps the cause (ES2022), and has none unless given', () => {
    const cause = new Error('disk full');
    expect(new ExchangeError('STORAGE', 'write failed', { cause }).cause).toBe(cause);
    expect('cause' in new ExchangeError('STORAGE', 'write failed')).toBe(false);
    expect(new NoRouteError('a', { cause }).cause).toBe(cause);
    expect(new TimeoutError('a', 1, { cause }).cause).toBe(cause);
    expect(new RemoteError({ code: 'X', message: 'm' }, { cause }).cause).toBe(cause);
    expect(new CancelledError('stop', { cause }).cause).toBe(cause);
    expect(new InvalidNameError('bad', 'a..b', { cause }).cause).toBe(cause);
  });

  it('subclasses carry their code, name and data', () => {
    const noRoute = new NoRouteError('db.query');
    expect([noRoute.code, noRoute.name, noRoute.data]).toEqual([
      'NO_ROUTE',
      'NoRouteError',
      { name: 'db.query' },
    ]);
    expect(noRoute.message).toBe("no route for 'db.query'");
    const timeout = new TimeoutError('db.query', 250);
    expect([timeout.code, timeout.name, timeout.data]).toEqual([
      'TIMEOUT',
      'TimeoutError',
      { name: 'db.query', timeoutMs: 250 },
    ]);
    expect(timeout.message).toBe("no reply to 'db.query' within 250 ms");
    expect(new TimeoutError('a', 1, { message: 'slow' }).message).toBe('slow');
    const remote = new RemoteError({ code: 'E_USER', message: 'no such user', data: 7 });
    expect([remote.code, remote.name, remote.remoteCode, remote.message, remote.data]).toEqual([
      'REMOTE',
      'RemoteError',
      'E_USER',
      'no such user',
      7,
    ]);
    expect(new CancelledError().message).toBe('cancelled');
    expect(new InvalidNameError('bad', 'a..b').data).toEqual({ name: 'a..b' });
    for (const e of oneOfEach()) expect(e).toBeInstanceOf(ExchangeError);
  });

  it('lists 20 distinct UPPER_SNAKE codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(20);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z]+(?:_[A-Z]+)*$/);
    expect(isErrorCode('TIMEOUT')).toBe(true);
    expect(isErrorCode('timeout')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
  });

  it('types: code is the ErrorCode union, subclass data is typed', () => {
    expectTypeOf<ExchangeError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf(new TimeoutError('a', 1).data).toEqualTypeOf<{
      name: string;
      timeoutMs: number;
    }>();
    // @ts-expect-error -- not a code
    new ExchangeError('NOPE', 'x');
  });
});

describe('wire form', () => {
  it('round-trips every code to the same class, code, message and data', () => {
    const all = oneOfEach();
    expect(all.map((e) => e.code)).toEqual(ERROR_CODES);
    for (const e of all) {
      const wire = JSON.parse(JSON.stringify(toWireError(e))) as WireError;
      const back = fromWireError(wire);
      expect(visible(back)).toEqual(visible(e));
      expect(back).toBeInstanceOf(CLASS_OF[e.code] ?? ExchangeError);
    }
  });

  it('is exactly { code, message, data? }: no stack, no cause, no name', () => {
    const e = new NoRouteError('a.b', { cause: new Error('secret') });
    expect(toWireError(e)).toStrictEqual({
      code: 'NO_ROUTE',
      message: "no route for 'a.b'",
      data: { name: 'a.b' },
    });
    expect(toWireError(new ExchangeError('LOOP', 'cycle'))).toStrictEqual({
      code: 'LOOP',
      message: 'cycle',
    });
  });

  it('nests a RemoteError, so a relay passes it on unchanged', () => {
    const e = new RemoteError({ code: 'E_USER', message: 'no such user', data: { id: 42 } });
    expect(toWireError(e)).toStrictEqual({
      code: 'REMOTE',
      message: 'no such user',
      data: { remoteCode: 'E_USER', data: { id: 42 } },
    });
    expect(toWireError(new RemoteError({ code: 'TIMEOUT', message: 'm' }))).toStrictEqual({
      code: 'REMOTE',
      message: 'm',
      data: { remoteCode: 'TIMEOUT' },
    });
    const twice = fromWireError(toWireError(fromWireError(toWireError(e))));
    expect(visible(twice)).toEqual(visible(e));
  });

  it.each([
    ['an Error', new TypeError('x is undefined'), 'x is undefined'],
    ['an Error without a message', new RangeError(), 'RangeError'],
    ['a string', 'plain string', 'plain string'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a plain object', { a: 1 }, '{"a":1}'],
    ['an object with a message', { message: 'shaped like an error' }, 'shaped like an error'],
    ['a null-prototype object', Object.create(null), '{}'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['an object that cannot be stringified', { n: 1n }, '[object Object]'],
  ])('turns %s thrown into INTERNAL with its message', (_, thrown, message) => {
    const wire = toWireError(thrown);
    expect(wire).toStrictEqual({ code: 'INTERNAL', message });
    const back = fromWireError(wire);
    expect(back).toBeInstanceOf(ExchangeError);
    expect([back.code, back.message, back.name]).toEqual(['INTERNAL', message, 'ExchangeError']);
  });

  it('never sends a stack or an error-like code of a foreign error', () => {
    const e = Object.assign(new Error('ENOENT: /etc/secret'), { code: 'ENOENT' });
    const wire = toWireError(e);
    expect(wire).toStrictEqual({ code: 'INTERNAL', message: 'ENOENT: /etc/secret' });
    expect(JSON.stringify(wire)).not.toContain('at ');
  });

  it('keeps an unknown code from a peer as a RemoteError', () => {
    const back = fromWireError({ code: 'E_FUTURE', message: 'newer peer', data: [1] });
    expect(back).toBeInstanceOf(RemoteError);
    expect(visible(back)).toMatchObject({ code: 'REMOTE', remoteCode: 'E_FUTURE', data: [1] });
  });

  it('maps a REMOTE without the nested form to remoteCode INTERNAL, keeping data', () => {
    const back = fromWireError({ code: 'REMOTE', message: 'm', data: 'raw' }) as RemoteError;
    expect([back.remoteCode, back.data]).toEqual(['INTERNAL', 'raw']);
  });

  it('fills missing subclass data with empty values rather than failing', () => {
    const noRoute = fromWireError({ code: 'NO_ROUTE', message: 'm' });
    expect(noRoute).toBeInstanceOf(NoRouteError);
    expect(noRoute.data).toEqual({ name: '' });
    expect(fromWireError({ code: 'TIMEOUT', message: 'm', data: null }).data).toEqual({
      name: '',
      timeoutMs: 0,
    });
  });

  it.each([
    ['null', null],
    ['a string', 'TIMEOUT'],
    ['no code', { message: 'm' }],
    ['a numeric code', { code: 5, message: 'm' }],
    ['no message', { code: 'TIMEOUT' }],
  ])('answers a malformed wire error (%s) with BAD_MESSAGE', (_, w) => {
    const back = fromWireError(w);
    expect(back.code).toBe('BAD_MESSAGE');
    expect(back.message).toMatch(/^malformed error on the wire: /);
  });
});

describe('isExchangeError', () => {
  it('recognizes our errors, with or without a code', () => {
    const e = new TimeoutError('a', 1);
    expect(isExchangeError(e)).toBe(true);
    expect(isExchangeError(e, 'TIMEOUT')).toBe(true);
    expect(isExchangeError(e, 'NO_ROUTE')).toBe(false);
    for (const x of oneOfEach()) expect(isExchangeError(x, x.code)).toBe(true);
  });

  it('recognizes an error from another copy of the package by name and code', () => {
    // What a second copy's TimeoutError looks like from here: same name and code, other class.
    const copy = { name: 'TimeoutError', code: 'TIMEOUT', message: 'late', data: { name: 'a' } };
    expect(copy instanceof ExchangeError).toBe(false);
    expect(isExchangeError(copy)).toBe(true);
    expect(isExchangeError(copy, 'TIMEOUT')).toBe(true);
    expect(isExchangeError({ ...copy, name: 'ExchangeError' }, 'TIMEOUT')).toBe(true);
    expect(toWireError(copy)).toStrictEqual({
      code: 'TIMEOUT',
      message: 'late',
      data: { name: 'a' },
    });
    const remoteCopy = { name: 'RemoteError', code: 'REMOTE', message: 'm', remoteCode: 'X' };
    expect(toWireError(remoteCopy)).toStrictEqual({
      code: 'REMOTE',
      message: 'm',
      data: { remoteCode: 'X' },
    });
  });

  it('accepts an application subclass with its own name', () => {
    class AppError extends ExchangeError {
      override readonly name = 'AppError';
    }
    expect(isExchangeError(new AppError('FORBIDDEN', 'no'), 'FORBIDDEN')).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['a foreign error with a code of ours', Object.assign(new Error('x'), { code: 'TIMEOUT' })],
    ['our name with an unknown code', { name: 'ExchangeError', code: 'ENOENT' }],
    ['our name without a code', { name: 'NoRouteError' }],
    ['null', null],
    ['a string', 'TIMEOUT'],
  ])('rejects %s', (_, value) => {
    expect(isExchangeError(value)).toBe(false);
  });

  it('narrows the type', () => {
    const e: unknown = new NoRouteError('a');
    if (isExchangeError(e, 'NO_ROUTE')) expectTypeOf(e.code).toEqualTypeOf<'NO_ROUTE'>();
  });
});
