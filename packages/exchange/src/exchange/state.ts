/**
 * An exchange's shared reactive state: an `auto` object (statics plus computed functions) whose
 * statics change only through `set` (a handler's `ctx.set`), never inside computed functions.
 * Every accepted write remembers the message that caused it; every transaction remembers the
 * writes that started it. `why(name)` joins the two: the transaction that last changed the
 * value, its triggers, the messages that set them and those messages' traces back to where they
 * began, across exchanges for imported values (see `state-sync.ts`).
 *
 * @example
 * const b = exchange({
 *   id: 'b',
 *   state: { raw: 0, doubled: ($: { raw: number }) => $.raw * 2 },
 *   handlers: { 'raw.put': (msg, ctx) => ctx.set('raw', msg.value) },
 * });
 * await b.request('raw.put', 21);
 * b.state.doubled; // 42
 * b.why('doubled').causes[0].message?.name; // 'raw.put'
 */
import { auto, subscribe, type Auto, type Trace } from '../auto/index.js';
import type { Envelope } from './envelope.js';
import {
  StateSync,
  readOnlyState,
  unknownState,
  type ChangeRecord,
  type StateHost,
  type StateKind,
  type SyncedState,
} from './state-sync.js';
import { MAX_CHAIN, plainEnvelope, type StateCause, type StateRef, type StateWhy } from './why.js';

/** The `ExchangeInit` fields about state. */
export interface StateInit {
  state?: Record<string, unknown>;
  exports?: string[];
  imports?: Record<string, StateRef | string>;
}

/** A transaction as `why` needs it: its triggers and, per trigger name, the write behind it. */
interface TxnRecord {
  id: number;
  at: number;
  triggers: { name: string; value: unknown }[];
  causes: Map<string, ChangeRecord>;
}

type AnyFn = (...args: unknown[]) => unknown;

/** Messages whose continuation came with an imported value, kept for chains through them. */
const MAX_CARRIED = 256;

/** One exchange's state; the exchange delegates `state`, `set`, `why`, `export` and `import`. */
export class SharedState implements SyncedState {
  /** A read-only view: one property per state name; writes throw `READ_ONLY_STATE`. */
  readonly view: Readonly<Record<string, unknown>>;
  readonly sync: StateSync;
  private readonly $: Auto<Record<string, unknown>>;
  /** `$` as a plain record, for reading and writing by name. */
  private readonly values: Record<string, unknown>;
  private readonly kinds = new Map<string, StateKind>();
  /** Static name → the last accepted write. */
  private readonly records = new Map<string, ChangeRecord>();
  /** Name → the last transaction that changed it. */
  private readonly changedIn = new Map<string, TxnRecord>();
  /** Message id → the chain the exporter sent with the value that message carried. */
  private readonly carried = new Map<string, Envelope[]>();
  /** > 0 while a computed function runs: state may not change then. */
  private evaluating = 0;

  constructor(
    private readonly host: StateHost,
    init: StateInit = {},
  ) {
    const obj: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(init.state ?? {})) {
      if (name.startsWith('#')) {
        obj[name] = v; // auto's own keys ('#fatal')
        continue;
      }
      const computed = typeof v === 'function';
      this.kinds.set(name, computed ? 'computed' : 'static');
      obj[name] = computed ? this.guarded(v as AnyFn) : v;
    }
    for (const local of Object.keys(init.imports ?? {})) {
      if (!this.kinds.has(local) && !local.startsWith('#')) {
        this.kinds.set(local, 'static');
        obj[local] = undefined;
      }
    }
    // A fatal error of the state (a circular dependency, a computed that throws) is a system
    // message others can observe, unless the state brings its own '#fatal' handler.
    obj['#fatal'] ??= (e: { msg?: unknown; stack?: unknown }) =>
      host.send(
        '$exchange.fatal',
        {
          source: 'state',
          message:
            typeof e.msg === 'string' ? e.msg : String((e.msg as { msg?: unknown })?.msg ?? e.msg),
          ...(Array.isArray(e.stack) ? { stack: e.stack.map(String) } : {}),
        },
        {},
      );
    this.$ = auto(obj, { trace: (t) => this.transaction(t) });
    this.values = this.$;
    this.view = readOnlyView(this.values, this.kinds);
    this.sync = new StateSync(host, this);
    for (const name of init.exports ?? []) this.sync.export(name);
    for (const [local, from] of Object.entries(init.imports ?? {})) this.sync.import(local, from);
  }

  /**
   * Set a static. `cause` is the message being handled (a handler's `ctx.set` passes it).
   * @throws {ExchangeError} `UNKNOWN_STATE`, or `READ_ONLY_STATE` for a computed, an imported
   *   name, or a call from inside a computed function.
   */
  set(name: string, value: unknown, cause?: Envelope): void {
    if (this.kindOf(name) === 'computed') {
      throw readOnlyState(name, `'${name}' is computed from other state: set what it reads`);
    }
    const from = this.sync.importOf(name);
    if (from) {
      const source = `${from.exchange}.${from.name}`;
      throw readOnlyState(name, `'${name}' is imported from ${source}: change it there`);
    }
    if (this.evaluating > 0) {
      throw readOnlyState(
        name,
        `computed functions may not change state (set '${name}' from a handler, with ctx.set)`,
      );
    }
    const chain = cause ? this.chainOf(cause) : [];
    this.write(name, { state: name, value, at: Date.now(), message: cause, chain });
  }

  /** Call `fn` with the value now and after each change; returns the unsubscribe function. */
  watch(name: string, fn: (value: unknown) => void): () => void {
    this.kindOf(name);
    return subscribe(this.$, name, fn);
  }

  /** Why `name` has its value; see `StateWhy`. */
  why(name: string): StateWhy {
    const kind = this.kindOf(name);
    const value = this.values[name]; // reading flushes pending writes, so they are included
    const txn = this.changedIn.get(name);
    const why: StateWhy = {
      exchange: this.host.id,
      name,
      kind,
      value,
      exported: this.sync.isExported(name),
      dependsOn: kind === 'computed' ? this.staticInputs(name) : [],
      transaction: txn
        ? { id: txn.id, at: txn.at, triggers: txn.triggers.map((t) => ({ ...t })) }
        : null,
      causes: this.causesOf(name).map(toCause),
    };
    const imported = this.sync.importOf(name);
    if (imported) why.imported = imported;
    return why;
  }

  // ---- SyncedState ---------------------------------------------------------------------------

  kindOf(name: string): StateKind {
    const kind = typeof name === 'string' ? this.kinds.get(name) : undefined;
    if (!kind) throw unknownState(this.host.id, name);
    return kind;
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  declare(name: string): void {
    this.$.add_static({ [name]: undefined });
    this.kinds.set(name, 'static');
  }

  current(name: string): unknown {
    return this.$._.value[name];
  }

  causeOf(name: string): ChangeRecord | undefined {
    const causes = this.causesOf(name);
    return causes.find((c) => c.message) ?? causes[0];
  }

  receive(local: string, value: unknown, env: Envelope, chain: Envelope[], from: StateRef): void {
    this.carried.set(env.id, chain);
    if (this.carried.size > MAX_CARRIED) this.carried.delete(this.carried.keys().next().value!);
    const record = { state: local, value, at: Date.now(), message: env, imported: from };
    this.write(local, { ...record, chain: [env, ...chain].slice(0, MAX_CHAIN) });
  }

  // ---- inside --------------------------------------------------------------------------------

  /** Write through auto, remembering the write unless auto ignores it (no change). */
  private write(name: string, record: ChangeRecord): void {
    const old = this.current(name);
    const value = record.value;
    // auto drops falsy-to-falsy and same-primitive writes; the old cause still explains the value.
    if ((!old && !value) || (old === value && (typeof value !== 'object' || value === null))) {
      return;
    }
    this.records.set(name, record);
    this.values[name] = value;
  }

  /** auto's trace callback: remember the transaction for every name it changed, then export. */
  private transaction(t: Trace): void {
    const causes = new Map<string, ChangeRecord>();
    for (const { name } of t.triggers) {
      const record = this.records.get(name);
      if (record) causes.set(name, record);
    }
    const txn: TxnRecord = {
      id: t.id,
      at: t.timestamp,
      triggers: t.triggers.map(({ name, value }) => ({ name, value })),
      causes,
    };
    const changed = new Set([...t.triggers.map((x) => x.name), ...Object.keys(t.updates)]);
    for (const name of changed) this.changedIn.set(name, txn);
    this.sync.changed(changed);
  }

  /** The writes behind the last change of `name`: for a computed, the triggers it depends on. */
  private causesOf(name: string): ChangeRecord[] {
    const txn = this.changedIn.get(name);
    if (!txn) return [];
    const relevant = this.kinds.get(name) === 'computed' ? this.inputsOf(name) : new Set<string>();
    relevant.add(name);
    const names = [...new Set(txn.triggers.map((t) => t.name))];
    let picked = names.filter((n) => relevant.has(n));
    // Its dependencies changed since (a branch not taken then): every trigger is a candidate.
    if (picked.length === 0) picked = names;
    return picked.map(
      (n) =>
        txn.causes.get(n) ?? {
          state: n,
          value: txn.triggers.findLast((t) => t.name === n)?.value,
          at: txn.at,
          message: undefined,
          chain: [],
        },
    );
  }

  /** Every name `name` reads, directly or through other computeds, nearest first. */
  private inputsOf(name: string): Set<string> {
    const deps = this.$._.deps;
    const seen = new Set<string>();
    const queue = [name];
    for (let i = 0; i < queue.length; i++) {
      const d = Object.hasOwn(deps, queue[i]) ? deps[queue[i]] : undefined;
      for (const dep of Object.keys(d ?? {})) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        queue.push(dep);
      }
    }
    return seen;
  }

  private staticInputs(name: string): string[] {
    return [...this.inputsOf(name)].filter((n) => this.kinds.get(n) === 'static');
  }

  /** The causal chain of `env` as known here, continued by what came with imported values. */
  private chainOf(env: Envelope): Envelope[] {
    const local = this.host.trace(env.id);
    const chain: Envelope[] = [];
    for (const e of local.length > 0 ? local : [env]) {
      chain.push(e);
      const more = this.carried.get(e.id);
      if (more) {
        chain.push(...more);
        break;
      }
    }
    return chain.slice(0, MAX_CHAIN);
  }

  /** A computed function, marked as running so that a `set` from inside it is refused. */
  private guarded(fn: AnyFn): AnyFn {
    return (...args) => {
      this.evaluating++;
      try {
        return fn(...args);
      } finally {
        this.evaluating--;
      }
    };
  }
}

function toCause(r: ChangeRecord): StateCause {
  const cause: StateCause = {
    state: r.state,
    value: r.value,
    at: r.at,
    message: r.message ? plainEnvelope(r.message) : null,
    trace: r.message ? r.message.trace.map((hop) => ({ ...hop })) : [],
    chain: r.chain.map(plainEnvelope),
  };
  if (r.imported) cause.imported = { ...r.imported };
  return cause;
}

// Node's console shows a Proxy's target: give it an inspector that shows the values.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Reads by name; every kind of write throws `READ_ONLY_STATE` (state changes go through `set`). */
function readOnlyView(
  values: Record<string, unknown>,
  kinds: Map<string, StateKind>,
): Readonly<Record<string, unknown>> {
  const own = (key: string | symbol): key is string => typeof key === 'string' && kinds.has(key);
  const snapshot = () => Object.fromEntries([...kinds.keys()].map((k) => [k, values[k]]));
  const refuse = (key: string | symbol): never => {
    const name = String(key);
    throw readOnlyState(name, `ex.state is read-only: change '${name}' with ctx.set or ex.set`);
  };
  const target: Record<string, unknown> = {};
  Object.defineProperty(target, INSPECT, { value: snapshot, configurable: true });
  return new Proxy(target, {
    get: (t, key): unknown => (own(key) ? values[key] : Reflect.get(t, key)),
    has: (_t, key) => own(key),
    ownKeys: () => [...kinds.keys()],
    getOwnPropertyDescriptor: (_t, key) =>
      own(key)
        ? { value: values[key], writable: false, enumerable: true, configurable: true }
        : undefined,
    set: (_t, key) => refuse(key),
    defineProperty: (_t, key) => refuse(key),
    deleteProperty: (_t, key) => refuse(key),
  });
}
