/**
 * The exchange's errors: one `ExchangeError` with a stable string `code`, subclasses only where
 * callers branch, and a wire form `{ code, message, data? }` that maps back to the same class.
 *
 * @example
 * const wire = toWireError(new TimeoutError('db.query', 250));
 * // { code: 'TIMEOUT', message: "no reply to 'db.query' within 250 ms", data: { name, timeoutMs } }
 * const e = fromWireError(wire); // a TimeoutError again, on the other side
 * isExchangeError(e, 'TIMEOUT'); // true, even for an error from another copy of the package
 */

/** Every code an `ExchangeError` can carry; `docs/errors.md` says when each happens. */
export const ERROR_CODES = Object.freeze([
  'NO_ROUTE',
  'TIMEOUT',
  'REMOTE',
  'CANCELLED',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'QUOTA_EXCEEDED',
  'TOO_LARGE',
  'BAD_MESSAGE',
  'BAD_FRAME',
  'VERSION_MISMATCH',
  'INVALID_NAME',
  'TRANSPORT_CLOSED',
  'CONGESTED',
  'LOOP',
  'STORAGE',
  'UNKNOWN_STATE',
  'READ_ONLY_STATE',
  'UNKNOWN_TRANSPORT',
  'INTERNAL',
] as const);

/** What went wrong, as a stable UPPER_SNAKE string. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * An error as it travels between peers. `code` is a plain string because a peer may send a code
 * this side does not know (a newer version, another client); `fromWireError` keeps it.
 */
export interface WireError {
  code: string;
  message: string;
  data?: unknown;
}

/** Options for `ExchangeError` and its subclasses. */
export interface ExchangeErrorOptions<TData = unknown> {
  /** Details for the caller; sent on the wire, so keep it serializable and free of secrets. */
  data?: TData;
  /** The underlying error; kept locally as the standard `cause`, never sent on the wire. */
  cause?: unknown;
}

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const NAMES: ReadonlySet<string> = new Set([
  'ExchangeError',
  'NoRouteError',
  'TimeoutError',
  'RemoteError',
  'CancelledError',
  'InvalidNameError',
]);

/**
 * True if `code` is one of `ERROR_CODES`.
 * @param code - any value, e.g. a code read from the wire.
 */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

/** The base class of every error the exchange throws or reports. Compare by `code`. */
export class ExchangeError<TData = unknown> extends Error {
  override readonly name: string = 'ExchangeError';
  /** What went wrong; stable across versions. */
  readonly code: ErrorCode;
  /** Details for the caller, if any. */
  readonly data: TData | undefined;

  /**
   * @param code - what went wrong.
   * @param message - a human-readable sentence for logs.
   * @param options - `data` for the caller and the `cause`.
   */
  constructor(code: ErrorCode, message: string, options: ExchangeErrorOptions<TData> = {}) {
    // Pass `cause` only when given, so `'cause' in error` stays false otherwise (as with Error).
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.data = options.data;
  }
}

/** Options for subclasses that build their own `data` and have a default message. */
export interface SubclassOptions {
  /** Replaces the default message. */
  message?: string;
  /** The underlying error. */
  cause?: unknown;
}

/** Keeps `cause` only when present (exactOptionalPropertyTypes forbids `cause: undefined`). */
const withCause = <TData>(data: TData, options: SubclassOptions): ExchangeErrorOptions<TData> =>
  'cause' in options ? { data, cause: options.cause } : { data };

/** `NO_ROUTE`: no handler or peer takes this name. */
export class NoRouteError extends ExchangeError<{ name: string }> {
  override readonly name: string = 'NoRouteError';
  declare readonly data: { name: string };

  /** @param name - the message name nothing takes. */
  constructor(name: string, options: SubclassOptions = {}) {
    super('NO_ROUTE', options.message ?? `no route for '${name}'`, withCause({ name }, options));
  }
}

/** `TIMEOUT`: no reply within the time allowed. */
export class TimeoutError extends ExchangeError<{ name: string; timeoutMs: number }> {
  override readonly name: string = 'TimeoutError';
  declare readonly data: { name: string; timeoutMs: number };

  /**
   * @param name - the message name that got no reply.
   * @param timeoutMs - the time allowed, in milliseconds.
   */
  constructor(name: string, timeoutMs: number, options: SubclassOptions = {}) {
    const message = options.message ?? `no reply to '${name}' within ${timeoutMs} ms`;
    super('TIMEOUT', message, withCause({ name, timeoutMs }, options));
  }
}

/**
 * `REMOTE`: the other side reported an error. Its own `code` is always `REMOTE`, so one branch
 * catches every remote failure; `remoteCode`, `message` and `data` are what the remote sent.
 */
export class RemoteError extends ExchangeError {
  override readonly name: string = 'RemoteError';
  /** The code the remote reported: one of `ERROR_CODES`, or a code this side does not know. */
  readonly remoteCode: string;

  /**
   * @param remote - the error as the remote sent it.
   * @param options - the `cause`, if any.
   */
  constructor(remote: WireError, options: { cause?: unknown } = {}) {
    const rest = 'cause' in options ? { cause: options.cause } : {};
    super(
      'REMOTE',
      remote.message,
      remote.data === undefined ? rest : { ...rest, data: remote.data },
    );
    this.remoteCode = remote.code;
  }
}

/** `CANCELLED`: the caller gave up (an `AbortSignal`, a closed request), not a failure. */
export class CancelledError extends ExchangeError {
  override readonly name: string = 'CancelledError';

  /** @param message - why; @default 'cancelled' */
  constructor(message = 'cancelled', options: ExchangeErrorOptions = {}) {
    super('CANCELLED', message, options);
  }
}

/** `INVALID_NAME`: a message name or pattern breaks the naming rules; the message says where. */
export class InvalidNameError extends ExchangeError<{ name: string }> {
  override readonly name: string = 'InvalidNameError';
  declare readonly data: { name: string };

  /**
   * @param message - what is wrong and where.
   * @param name - the offending name or pattern.
   */
  constructor(message: string, name: string, options: { cause?: unknown } = {}) {
    super('INVALID_NAME', message, withCause({ name }, options));
  }
}

/**
 * True if `e` is an exchange error, optionally with the given `code`. It checks `name` and `code`
 * rather than relying on `instanceof`, so errors from another copy of this package (or rebuilt
 * from the wire by other code) pass too.
 * @param e - any caught value.
 * @param code - also require this code.
 */
export function isExchangeError<C extends ErrorCode>(
  e: unknown,
  code?: C,
): e is ExchangeError & { code: C } {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code: own } = e as { name?: unknown; code?: unknown };
  // instanceof too, so an application's own subclass (with its own name) still counts here.
  const ours = e instanceof ExchangeError || (typeof name === 'string' && NAMES.has(name));
  return ours && isErrorCode(own) && (code === undefined || own === code);
}

/**
 * The wire form of any thrown value. Exchange errors keep their code, message and data; anything
 * else becomes `INTERNAL` with its message. Stacks and causes never leave the process.
 * @param err - any caught value.
 * @returns a plain `{ code, message, data? }` object.
 */
export function toWireError(err: unknown): WireError {
  if (!isExchangeError(err)) return { code: 'INTERNAL', message: messageOf(err) };
  const message = typeof err.message === 'string' ? err.message : '';
  if (err.code === 'REMOTE') {
    // Nest what the remote sent, so a relay passes a RemoteError on as a RemoteError.
    const { remoteCode, data } = err as { remoteCode?: unknown; data?: unknown };
    const inner = { remoteCode: typeof remoteCode === 'string' ? remoteCode : 'INTERNAL' };
    return { code: 'REMOTE', message, data: data === undefined ? inner : { ...inner, data } };
  }
  return err.data === undefined
    ? { code: err.code, message }
    : { code: err.code, message, data: err.data };
}

/** Rebuilds one code's class from a wire message and its `data`. */
type Rebuild = (message: string, data: unknown) => ExchangeError;

/** The field `key` of wire `data` as a string, or `''` if `data` does not have one. */
const textAt = (data: unknown, key: string): string => {
  const v = (data as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' ? v : '';
};
const optionsOf = (data: unknown) => (data === undefined ? {} : { data });

/** The codes with their own class; every other known code rebuilds a plain `ExchangeError`. */
const REBUILD: { readonly [C in ErrorCode]?: Rebuild } = {
  NO_ROUTE: (message, data) => new NoRouteError(textAt(data, 'name'), { message }),
  TIMEOUT: (message, data) => {
    const ms = (data as { timeoutMs?: unknown } | null | undefined)?.timeoutMs;
    return new TimeoutError(textAt(data, 'name'), typeof ms === 'number' ? ms : 0, { message });
  },
  REMOTE: (message, data) => {
    const remoteCode = textAt(data, 'remoteCode');
    // A REMOTE without the nested form came from a non-conforming peer: keep its data as is.
    if (remoteCode === '')
      return new RemoteError({ code: 'INTERNAL', message, ...optionsOf(data) });
    const inner = (data as { data?: unknown }).data;
    return new RemoteError({ code: remoteCode, message, ...optionsOf(inner) });
  },
  CANCELLED: (message, data) => new CancelledError(message, optionsOf(data)),
  INVALID_NAME: (message, data) => new InvalidNameError(message, textAt(data, 'name')),
};

/**
 * Rebuild an error from its wire form: each code maps back to its class (`NO_ROUTE` to
 * `NoRouteError`, …). A code this side does not know becomes a `RemoteError` that keeps it.
 * @param w - the wire form; anything else gives `BAD_MESSAGE`.
 */
export function fromWireError(w: unknown): ExchangeError {
  if (typeof w !== 'object' || w === null) return malformed(w);
  const { code, message, data } = w as Partial<Record<keyof WireError, unknown>>;
  if (typeof code !== 'string' || typeof message !== 'string') return malformed(w);
  if (!isErrorCode(code)) return new RemoteError({ code, message, ...optionsOf(data) });
  return REBUILD[code]?.(message, data) ?? new ExchangeError(code, message, optionsOf(data));
}

function malformed(w: unknown): ExchangeError {
  return new ExchangeError('BAD_MESSAGE', `malformed error on the wire: ${describe(w)}`);
}

/** The message of any thrown value, without ever throwing itself. */
function messageOf(e: unknown): string {
  if (typeof e !== 'object' || e === null) return describe(e);
  const { message, name } = e as { message?: unknown; name?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  // `throw new TypeError()` has an empty message; its name is still worth sending.
  return typeof name === 'string' ? name : describe(e);
}

/** A short description of any value; `String()` can throw (`Object.create(null)`, symbols). */
function describe(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}
