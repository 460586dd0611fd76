/**
 * Export and import of state values between exchanges, over ordinary messages so they route
 * across any number of hops:
 *
 * - `$exchange.state.get.<exporter>` (a request targeted at the exporter, value `{ name }`): the
 *   importer asks for the current value, on import and whenever a connection appears anywhere in
 *   the network. Asking also subscribes the importer, so no change after the answer is missed.
 * - `$exchange.state.value.<exporter>.<name>` (targeted at each subscribed importer): sent when
 *   the exported value changes, with the message that caused the change as its cause, so the
 *   trace continues across the exchanges.
 * - `$exchange.state.drop.<exporter>` (value `{ name }`): the importer no longer wants it.
 *
 * Each value carries a version (`epoch`, `seq`), so an answer that arrives after a newer change
 * is ignored, and the chain of messages that caused it as far as the exporter knows it.
 *
 * @example
 * sync.export('raw'); // on 'b'
 * sync.import('raw', { exchange: 'b', name: 'raw' }); // on 'c': follows b's raw from now on
 */
import type { Envelope } from './envelope.js';
import { ExchangeError, InvalidNameError, isExchangeError, toWireError } from './errors.js';
import type { MessageHandler, MessageObserver, RequestOptions, SendOptions } from './exchange.js';
import { validateName } from './names.js';
import { MAX_CHAIN, STATE_PREFIX, plainEnvelope, type StateRef } from './why.js';

/** The part of its exchange the shared state uses: a narrow interface, not the class. */
export interface StateHost {
  readonly id: string;
  send(name: string, value: unknown, options: SendOptions): Envelope;
  requestMessage(name: string, value: unknown, options: RequestOptions): Promise<Envelope>;
  on(pattern: string, fn: MessageObserver): () => void;
  handle(pattern: string, fn: MessageHandler): () => void;
  trace(messageId: string): Envelope[];
}

export type StateKind = 'static' | 'computed';

/** One accepted write to a static: what it was set to, when, and by which message. */
export interface ChangeRecord {
  state: string;
  value: unknown;
  at: number;
  message: Envelope | undefined;
  /** The message, its cause, … as far as known (see `StateCause.chain`). */
  chain: Envelope[];
  imported?: StateRef;
}

/** What the sync needs from the state it exports from and imports into. */
export interface SyncedState {
  /** @throws {ExchangeError} `UNKNOWN_STATE` */
  kindOf(name: string): StateKind;
  has(name: string): boolean;
  /** Add a static holding `undefined` (the place an import writes to). */
  declare(name: string): void;
  /** The current value, without flushing pending writes (safe inside a transaction). */
  current(name: string): unknown;
  /** The change behind the current value, if it changed since the exchange started. */
  causeOf(name: string): ChangeRecord | undefined;
  /** An imported value arrived in `env`, with the exporter's causal chain. */
  receive(local: string, value: unknown, env: Envelope, chain: Envelope[], from: StateRef): void;
}

/** What a value message (or an answer to `get`) carries. */
interface StatePayload {
  value: unknown;
  /** The exporting instance: a restarted exporter starts a new one, and its seq again. */
  epoch: string;
  /** Bumped at each change of the name on the exporter. */
  seq: number;
  at: number;
  chain: Envelope[];
}

interface Imported {
  local: string;
  from: StateRef;
  epoch: string | undefined;
  seq: number;
  off: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  attempts: number;
  inflight: boolean;
  /** A refresh was asked for while a fetch was in flight: fetch again when it ends. */
  again: boolean;
  closed: boolean;
}

const ID_TOKEN = /^[\w-]{1,64}$/;
/** Fetch attempts after a failure (no route yet, timeout) before waiting for a connection. */
const RETRIES = 7;
const RETRY_BASE_MS = 20;
const FETCH_TIMEOUT_MS = 2000;

/** The name of the messages carrying `exporter`'s value of `name`. */
export const valueName = (exporter: string, name: string): string =>
  `${STATE_PREFIX}value.${exporter}.${name}`;
const getName = (exporter: string): string => `${STATE_PREFIX}get.${exporter}`;
const dropName = (exporter: string): string => `${STATE_PREFIX}drop.${exporter}`;

/**
 * `READ_ONLY_STATE`: a write (or an import) to a name that only something else may change.
 * @param name - the state name.
 * @param message - what is wrong and what to do instead.
 */
export function readOnlyState(name: string, message: string): ExchangeError<{ name: string }> {
  return new ExchangeError('READ_ONLY_STATE', message, { data: { name } });
}

/** Exports and imports of one exchange's state. */
export class StateSync {
  private readonly epoch: string;
  /** Exported name → how many `export` calls hold it. */
  private readonly exported = new Map<string, number>();
  private readonly seqs = new Map<string, number>();
  /** Name → ids of the exchanges that asked for it (also while it is not exported yet). */
  private readonly subscribers = new Map<string, Set<string>>();
  /** Local name → its import. */
  private readonly imported = new Map<string, Imported>();
  private offPeers: (() => void) | undefined = undefined;

  constructor(
    private readonly host: StateHost,
    private readonly state: SyncedState,
  ) {
    this.epoch = `${host.id}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 10)}`;
    host.handle(getName(host.id), (msg) => this.serve(msg));
    host.handle(
      dropName(host.id),
      (msg) => void this.subscribers.get(nameIn(msg))?.delete(msg.from),
    );
  }

  // ---- exporting -----------------------------------------------------------------------------

  /** Export `name`: importers get its value now and after every change. Returns the remover. */
  export(name: string): () => void {
    this.state.kindOf(name);
    validateName(valueName(this.host.id, name));
    const refs = this.exported.get(name) ?? 0;
    this.exported.set(name, refs + 1);
    // Importers that asked before it was exported are waiting for this.
    if (refs === 0) this.emit(name);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const left = (this.exported.get(name) ?? 1) - 1;
      if (left > 0) this.exported.set(name, left);
      else this.exported.delete(name);
    };
  }

  isExported(name: string): boolean {
    return this.exported.has(name);
  }

  /** A transaction changed these names: send the exported ones to their importers. */
  changed(names: Iterable<string>): void {
    for (const name of names) if (this.exported.has(name)) this.emit(name);
  }

  private emit(name: string): void {
    const seq = (this.seqs.get(name) ?? 0) + 1;
    this.seqs.set(name, seq);
    const subscribers = this.subscribers.get(name);
    if (!subscribers || subscribers.size === 0) return;
    const cause = this.state.causeOf(name);
    let payload: StatePayload;
    try {
      payload = this.payload(name, cause);
    } catch (e) {
      return this.report(name, e);
    }
    const options: SendOptions = cause?.message ? { cause: cause.message } : {};
    for (const to of subscribers)
      this.host.send(valueName(this.host.id, name), payload, { ...options, to });
  }

  /** Answer a `get`: subscribe the asker, then send the current value if it is exported. */
  private serve(msg: Envelope): StatePayload {
    const name = nameIn(msg);
    if (!this.state.has(name)) throw unknownState(this.host.id, name);
    let subscribers = this.subscribers.get(name);
    if (!subscribers) this.subscribers.set(name, (subscribers = new Set()));
    subscribers.add(msg.from);
    if (!this.exported.has(name)) {
      throw new ExchangeError(
        'UNKNOWN_STATE',
        `exchange ${this.host.id} does not export '${name}'; it will send the value once it does`,
        { data: { exchange: this.host.id, name, waiting: true } },
      );
    }
    return this.payload(name, this.state.causeOf(name));
  }

  private payload(name: string, cause: ChangeRecord | undefined): StatePayload {
    let value: unknown;
    try {
      // A copy also proves the value can travel: other transports serialise it.
      value = structuredClone(this.state.current(name));
    } catch (e) {
      throw new ExchangeError(
        'BAD_MESSAGE',
        `state '${name}' cannot be exported: its value is not plain data (${String(e)})`,
        { data: { name }, cause: e },
      );
    }
    return {
      value,
      epoch: this.epoch,
      seq: this.seqs.get(name) ?? 0,
      at: cause?.at ?? Date.now(),
      chain: (cause?.chain ?? []).slice(0, MAX_CHAIN).map(plainEnvelope),
    };
  }

  // ---- importing -----------------------------------------------------------------------------

  /**
   * Make the static `local` follow `source`'s value. Returns the remover: `local` then keeps its
   * last value and may be set locally again.
   */
  import(local: string, source: StateRef | string): () => void {
    const from = parseRef(source);
    const name = valueName(from.exchange, from.name);
    validateName(name);
    const existing = this.imported.get(local);
    if (existing) {
      const was = `${existing.from.exchange}.${existing.from.name}`;
      throw readOnlyState(local, `'${local}' is already imported from ${was}`);
    }
    if (local.startsWith('#')) throw new InvalidNameError(`'${local}' is not a state name`, local);
    if (!this.state.has(local)) this.state.declare(local);
    else if (this.state.kindOf(local) === 'computed') {
      throw readOnlyState(local, `'${local}' is computed: only a static can follow an import`);
    }
    const imp: Imported = {
      local,
      from,
      epoch: undefined,
      seq: -1,
      off: () => {},
      timer: undefined,
      attempts: 0,
      inflight: false,
      again: false,
      closed: false,
    };
    imp.off = this.host.on(name, (env) => this.accept(imp, env));
    this.imported.set(local, imp);
    // A connection anywhere may bring back a route to the exporter: catch up then.
    this.offPeers ??= this.host.on('$exchange.peer.connected', () => {
      for (const i of this.imported.values()) this.refresh(i);
    });
    this.refresh(imp);
    return () => this.unimport(imp);
  }

  /** Where `local` is imported from, if it is. */
  importOf(local: string): StateRef | undefined {
    const imp = this.imported.get(local);
    return imp && { ...imp.from };
  }

  private unimport(imp: Imported): void {
    if (imp.closed) return;
    imp.closed = true;
    imp.off();
    clearTimeout(imp.timer);
    this.imported.delete(imp.local);
    const { exchange, name } = imp.from;
    const same = [...this.imported.values()].some(
      (i) => i.from.exchange === exchange && i.from.name === name,
    );
    if (!same) this.host.send(dropName(exchange), { name }, { to: exchange });
    if (this.imported.size === 0) {
      this.offPeers?.();
      this.offPeers = undefined;
    }
  }

  /** Fetch the current value now (or right after the fetch in flight). */
  private refresh(imp: Imported): void {
    if (imp.closed) return;
    if (imp.inflight) return void (imp.again = true);
    clearTimeout(imp.timer);
    imp.timer = undefined;
    imp.attempts = 0;
    this.fetch(imp);
  }

  private fetch(imp: Imported): void {
    imp.inflight = true;
    const { exchange, name } = imp.from;
    const options = { to: exchange, timeout: FETCH_TIMEOUT_MS };
    void this.host
      .requestMessage(getName(exchange), { name }, options)
      .then(
        (reply) => this.accept(imp, reply),
        (e: unknown) => this.fetchFailed(imp, e),
      )
      .finally(() => {
        imp.inflight = false;
        if (imp.again) {
          imp.again = false;
          this.refresh(imp);
        }
      });
  }

  private fetchFailed(imp: Imported, e: unknown): void {
    if (imp.closed) return;
    if (isExchangeError(e, 'REMOTE')) {
      // Not exported yet: the exporter now knows to send the value when it is. Anything else
      // (no such state, a value that cannot travel) is worth reporting.
      const { data } = e as { data?: { waiting?: unknown } };
      if (data?.waiting !== true) this.report(imp.local, e);
      return;
    }
    // No route yet (adverts still spreading), a timeout, a closed link: try again, a few times.
    if (imp.attempts >= RETRIES) return;
    const delay = RETRY_BASE_MS * 2 ** imp.attempts++;
    imp.timer = setTimeout(() => {
      imp.timer = undefined;
      if (!imp.closed && !imp.inflight) this.fetch(imp);
    }, delay);
    (imp.timer as { unref?: () => void }).unref?.();
  }

  /** A value for `imp` arrived (a change, or the answer to a fetch). */
  private accept(imp: Imported, env: Envelope): void {
    const p = env.value;
    if (imp.closed || !isPayload(p)) return;
    if (p.epoch === imp.epoch && p.seq <= imp.seq) return; // older than what we have
    let value: unknown;
    try {
      // Importers never share an object with the exporter or each other (as over a network).
      value = structuredClone(p.value);
    } catch (e) {
      return this.report(imp.local, e);
    }
    imp.epoch = p.epoch;
    imp.seq = p.seq;
    this.state.receive(imp.local, value, env, p.chain.filter(isEnvelope), imp.from);
  }

  private report(state: string, error: unknown): void {
    this.host.send('$exchange.error', { state, error: toWireError(error) }, {});
  }
}

/** `UNKNOWN_STATE` for a name the state does not have. */
export function unknownState(exchange: string, name: unknown): ExchangeError {
  const shown = typeof name === 'string' ? name : typeof name;
  return new ExchangeError('UNKNOWN_STATE', `exchange ${exchange} has no state named '${shown}'`, {
    data: { exchange, name: shown },
  });
}

/** `{ exchange, name }` from itself or from `'<exchange>.<name>'`. */
function parseRef(source: StateRef | string): StateRef {
  let from: StateRef;
  if (typeof source === 'string') {
    const dot = source.indexOf('.');
    if (dot <= 0 || dot === source.length - 1) {
      throw new InvalidNameError(
        `an import source is '<exchange>.<state>', got '${source}'`,
        source,
      );
    }
    from = { exchange: source.slice(0, dot), name: source.slice(dot + 1) };
  } else from = { exchange: source.exchange, name: source.name };
  if (typeof from.exchange !== 'string' || !ID_TOKEN.test(from.exchange)) {
    const shown = String(from.exchange);
    throw new InvalidNameError(`'${shown}' is not an exchange id`, shown);
  }
  return from;
}

/** The `name` a get/drop message asks about. */
function nameIn(msg: Envelope): string {
  const name = (msg.value as { name?: unknown } | null | undefined)?.name;
  if (typeof name !== 'string') {
    throw new ExchangeError('BAD_MESSAGE', `${msg.name} needs a value { name: string }`);
  }
  return name;
}

function isPayload(p: unknown): p is StatePayload {
  if (typeof p !== 'object' || p === null) return false;
  const { epoch, seq, chain } = p as Partial<StatePayload>;
  return typeof epoch === 'string' && Number.isSafeInteger(seq) && Array.isArray(chain);
}

function isEnvelope(e: unknown): e is Envelope {
  if (typeof e !== 'object' || e === null) return false;
  const { id, name, from, trace } = e as Partial<Envelope>;
  return (
    typeof id === 'string' &&
    typeof name === 'string' &&
    typeof from === 'string' &&
    Array.isArray(trace)
  );
}
