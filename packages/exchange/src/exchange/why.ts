/**
 * What `ex.why(name)` answers, and `formatWhy` to read it. An answer is plain data (it survives
 * `JSON.stringify`), so it can be logged, sent in a message or shown by a dashboard.
 *
 * @example
 * const why = dashboard.why('processedData');
 * why.transaction?.triggers; // [{ name: 'raw', value: 21 }]
 * why.causes[0].trace.map((hop) => hop.ex); // ['sensor', 'processor', 'dashboard']
 * console.log(formatWhy(why));
 */
import type { Envelope, Hop } from './envelope.js';

/** A state name on one exchange: what `import` reads from. */
export interface StateRef {
  exchange: string;
  name: string;
}

/** One write that started a transaction. */
export interface WhyTrigger {
  name: string;
  value: unknown;
}

/** The state transaction that last changed a value. */
export interface WhyTransaction {
  /** The transaction number on this exchange (from 1). */
  id: number;
  /** When it ran, ms since the epoch. */
  at: number;
  /** The writes that started it, in order. */
  triggers: WhyTrigger[];
}

/** One static value whose change caused the one asked about, and the message that changed it. */
export interface StateCause {
  /** The static that was set. */
  state: string;
  /** The value it was set to. */
  value: unknown;
  /** When it was set, ms since the epoch. */
  at: number;
  /** Set because it is imported from this exporter's state. */
  imported?: StateRef;
  /** The message being handled when it was set (headers left out); `null` for a plain `ex.set`. */
  message: Envelope | null;
  /** Every exchange the message's causal chain passed, from where it began to here. */
  trace: Hop[];
  /**
   * The message, then its cause, and so on, as far as known: locally known messages first, then
   * (for an imported value) the chain the exporter sent with it. The last one is where it began.
   */
  chain: Envelope[];
}

/** Why a state value is what it is. */
export interface StateWhy {
  /** The exchange that answered. */
  exchange: string;
  name: string;
  kind: 'static' | 'computed';
  /** The current value. */
  value: unknown;
  /** For an imported static: where it comes from. */
  imported?: StateRef;
  /** Whether this exchange exports the name. */
  exported: boolean;
  /** For a computed: the statics it reads, directly or through other computeds. */
  dependsOn: string[];
  /** The transaction that last changed it; `null` if it still has the value it started with. */
  transaction: WhyTransaction | null;
  /** The changed statics behind that transaction (for a static: itself). */
  causes: StateCause[];
}

/** Longest chain kept with a change or sent with an exported value. */
export const MAX_CHAIN = 16;

/**
 * A copy of a message fit to travel or to be shown: without headers (they may hold credentials),
 * and, for a state message, without the chain nested in its value (the chain is carried once).
 * @param env - a message as the exchange keeps it.
 */
export function plainEnvelope(env: Envelope): Envelope {
  const copy: Envelope = { ...env, trace: env.trace.slice() };
  delete copy.headers;
  const v = env.value;
  if (env.name.startsWith(STATE_PREFIX) && isRecord(v) && 'chain' in v) {
    const { chain: _chain, ...rest } = v;
    copy.value = rest;
  }
  return copy;
}

/** The prefix of every message the shared state sends. */
export const STATE_PREFIX = '$exchange.state.';

/**
 * Format a `why` answer as readable text, one fact per line.
 * @param why - what `ex.why(name)` returned.
 * @returns lines such as `trace: sensor → processor → dashboard`.
 * @example console.log(formatWhy(ex.why('total')));
 */
export function formatWhy(why: StateWhy): string {
  const lines: string[] = [];
  const origin = why.imported ? `, imported from ${ref(why.imported)}` : '';
  const inputs = why.kind === 'computed' ? `, from ${why.dependsOn.join(', ') || 'nothing'}` : '';
  lines.push(
    `${why.name} = ${shown(why.value)} on ${why.exchange} (${why.kind}${origin}${inputs})`,
  );
  const txn = why.transaction;
  if (!txn) {
    lines.push('  unchanged since the exchange started');
    return lines.join('\n');
  }
  const triggers = txn.triggers.map((t) => `${t.name} = ${shown(t.value)}`).join(', ');
  lines.push(`  changed in transaction ${txn.id} at ${time(txn.at)}, triggered by ${triggers}`);
  for (const c of why.causes) lines.push(...causeLines(c));
  return lines.join('\n');
}

function causeLines(c: StateCause): string[] {
  const from = c.imported ? ` (imported from ${ref(c.imported)})` : '';
  const lines = [`  ${c.state} = ${shown(c.value)} set at ${time(c.at)}${from}`];
  if (!c.message) return [...lines, '    by code outside any handler (no message)'];
  lines.push(`    by ${describeEnvelope(c.message)}`);
  lines.push(`    trace: ${c.trace.map((hop) => hop.ex).join(' → ')}`);
  if (c.chain.length > 1) {
    lines.push(`    chain: ${c.chain.map((e) => `${e.name} (${e.from})`).join(' ← ')}`);
  }
  const first = c.chain[c.chain.length - 1] ?? c.message;
  const began = c.trace[0]?.ex ?? first.from;
  lines.push(`    began at ${began}: ${describeEnvelope(first)} at ${time(first.ts)}`);
  return lines;
}

function describeEnvelope(env: Envelope): string {
  const value = env.name.startsWith(STATE_PREFIX) ? '' : ` ${shown(env.value)}`;
  return `${env.kind} ${env.name}${value} from ${env.from} (id ${env.id})`;
}

const ref = (r: StateRef): string => `${r.exchange}.${r.name}`;
const time = (at: number): string => new Date(at).toISOString().slice(11, 23);

/** A short, one-line rendering of any value (never throws). */
function shown(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? unstringifiable(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/** What `JSON.stringify` gives nothing for: `undefined`, a function, a symbol. */
function unstringifiable(v: unknown): string {
  if (typeof v === 'function') return `[function ${v.name || 'anonymous'}]`;
  if (typeof v === 'symbol') return v.toString();
  return 'undefined';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
