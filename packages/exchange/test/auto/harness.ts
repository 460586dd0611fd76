/**
 * Conformance harness for `auto(obj, opt)`.
 *
 * It reproduces the contract of the original auto.js test runner (auto-spec.md, section 2): inject
 * a no-op `'#fatal'`, construct, run `fn($, global)`, flush (or wait `timeout` ms with a real
 * timer), read `$._` once, and compare it with the loose `eq` of section 2.4. Every fixture runs
 * against both the reference library (`@autolib/auto`) and our implementation, so the table is
 * itself validated by the library it describes.
 */
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import refAutoUntyped from '@autolib/auto';

/** Anything callable like `auto(obj, opt)`; fixtures are untyped on purpose. */
export type AutoFactory = (obj: any, opt?: any) => any;

export type TargetName = 'reference' | 'exchange';

export interface Target {
  name: TargetName;
  auto: AutoFactory;
}

/** The expected internals of one test, as written in the original test files. */
export interface Expected {
  fn: string[];
  subs: unknown;
  deps: unknown;
  value: unknown;
  fatal: unknown;
}

/** One test in the shape of `tests/files/NNN_name.js` (spec 2.1). */
export interface AutoTest {
  obj: Record<string, any>;
  fn: ($: any, global: Record<string, any>) => void;
  opt?: Record<string, any>;
  timeout?: number;
  _: Expected;
  global?: Record<string, any>;
}

export type ComparedKey = 'subs' | 'stack' | 'deps' | 'value' | 'fatal';

export interface RunResult {
  $: any;
  /** `$._` as read once after the run. */
  internals: any;
  global: Record<string, any>;
  /** Human-readable differences; empty when the test passes. */
  problems: string[];
}

/** A row of the conformance table. */
export interface Fixture {
  /** The original test id, e.g. `'009_nested_deps'`. */
  id: string;
  /** Builds a fresh test: fixtures keep their observations in closures, so each run needs its own. */
  make: () => AutoTest;
  /** How the reference run differs, and why (the spec says the reference fails as written). */
  reference?: { opt: Record<string, unknown>; reason: string };
  /** Keys of `_` the loose comparison cannot express; `after` checks them instead. */
  unchecked?: { keys: ComparedKey[]; reason: string };
  /** Extra assertions after the standard comparison. */
  after?: (run: RunResult) => void;
  /** Vitest timeout for long real-timer fixtures. */
  testTimeout?: number;
}

const COMPARED: ComparedKey[] = ['subs', 'stack', 'deps', 'value', 'fatal'];
const CONSOLE = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** The reference implementation, `@autolib/auto` 1.54.0 (default export of `auto-es6.js`). */
export const refAuto = refAutoUntyped as unknown as AutoFactory;

/** Both implementations, reference first. */
export function targets(auto: unknown): Target[] {
  return [
    { name: 'reference', auto: refAuto },
    { name: 'exchange', auto: auto as AutoFactory },
  ];
}

/**
 * The runner's loose equality (spec 2.4): same `typeof`; null/undefined equal each other only
 * when both are nullish; NaN equals NaN; objects (arrays included) need equal own-enumerable key
 * counts and `eq` on every key of `expected`; anything else is `==`.
 */
export function eq(expected: unknown, actual: unknown): boolean {
  if (typeof expected !== typeof actual) return false;
  if (expected == null && actual == null) return true;
  if (expected == null || actual == null) return false;
  if (typeof expected === 'number' && Number.isNaN(expected) && Number.isNaN(actual)) return true;
  if (typeof expected === 'object') {
    const keys = Object.keys(expected);
    if (keys.length !== Object.keys(actual).length) return false;
    return keys.every((k) => eq((expected as any)[k], (actual as any)[k]));
  }

  return expected == actual;
}

const show = (v: unknown): string => inspect(v, { depth: 4, breakLength: Infinity });

/** Where `eq(expected, actual)` fails, as `path: expected …, actual …` lines. */
export function explain(expected: unknown, actual: unknown, path: string): string[] {
  if (eq(expected, actual)) return [];
  if (
    typeof expected === 'object' &&
    expected !== null &&
    typeof actual === 'object' &&
    actual !== null
  ) {
    const ek = Object.keys(expected);
    const ak = Object.keys(actual);
    const out: string[] = [];
    if (ek.length !== ak.length) {
      out.push(`${path}: expected keys ${show(ek)}, actual keys ${show(ak)}`);
    }
    for (const k of ek)
      out.push(...explain((expected as any)[k], (actual as any)[k], `${path}.${k}`));
    return out.length > 0 ? out : [`${path}: expected ${show(expected)}, actual ${show(actual)}`];
  }
  return [`${path}: expected ${show(expected)}, actual ${show(actual)}`];
}

/** `{ name: { tag: fn } }` → `{ name: [tag, …] }`, keeping tag insertion order (spec 2.3). */
export function flattenSubs(
  subs: Record<string, Record<string, unknown>>,
): Record<string, string[]> {
  const flat: Record<string, string[]> = {};
  for (const name of Object.keys(subs)) flat[name] = Object.keys(subs[name] ?? {});
  return flat;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one test exactly like `tests/runall.js` (spec 2.2–2.5) and lists the differences. */
export async function runAutoTest(
  auto: AutoFactory,
  test: AutoTest,
  unchecked: readonly ComparedKey[] = [],
): Promise<RunResult> {
  if (typeof test.obj['#fatal'] !== 'function') test.obj['#fatal'] = () => {};
  const $ = auto(test.obj, test.opt);
  const global: Record<string, any> = {};
  test.fn($, global);
  if (test.timeout) await wait(test.timeout);
  else if ($.flush) $.flush();

  const internals = $._; // read once
  const problems: string[] = [];
  const extra = Object.keys(internals.fn).filter((n) => n !== '#fatal' && !test._.fn.includes(n));
  if (extra.length > 0)
    problems.push(`fn: unexpected ${show(extra)} (expected ${show(test._.fn)})`);
  const actual: Record<ComparedKey, unknown> = {
    subs: flattenSubs(internals.subs),
    // no fixture expects a stack, so it must be absent: spec 2.3 also allows null, but rule 1 of
    // `eq` (same typeof) rejects null against undefined, and we follow `eq`
    stack: internals.stack,
    deps: internals.deps,
    value: internals.value,
    fatal: internals.fatal,
  };
  const expected = test._ as unknown as Record<ComparedKey, unknown>;
  for (const key of COMPARED) {
    if (!unchecked.includes(key)) problems.push(...explain(expected[key], actual[key], key));
  }
  if (test.global) problems.push(...explain(test.global, global, 'global'));
  return { $, internals, global, problems };
}

/** Runs a fixture for one target, applying the fixture's documented reference adjustments. */
export async function runFixture(target: Target, fixture: Fixture): Promise<RunResult> {
  const test = fixture.make();
  if (target.name === 'reference' && fixture.reference) {
    test.opt = { ...test.opt, ...fixture.reference.opt };
  }
  return runAutoTest(target.auto, test, fixture.unchecked?.keys);
}

/**
 * Registers the conformance table: one `describe` per target, one `it` per fixture. Consoles are
 * silenced because both implementations log by design (exceptions, reports, `count` tables).
 */
export function conformance(title: string, fixtures: Fixture[], auto: unknown): void {
  silenceConsole();
  describe.each(targets(auto))(`${title} ($name)`, (target) => {
    for (const fixture of fixtures) {
      const opts = fixture.testTimeout ? { timeout: fixture.testTimeout } : {};
      it(fixture.id, opts, async () => {
        const run = await runFixture(target, fixture);
        expect(run.problems).toEqual([]);
        fixture.after?.(run);
      });
    }
  });
}

/** Registers focused tests once per target (reference first), with a silenced console. */
export function eachTarget(title: string, auto: unknown, body: (target: Target) => void): void {
  silenceConsole();
  describe.each(targets(auto))(`${title} ($name)`, body);
}

/**
 * Replaces the console methods the libraries use with silent spies for the whole file. Spies
 * are never restored: timers armed by a test (count printouts, call-rate reports) may fire after
 * it ends, and each test file runs isolated anyway. Tests that assert output call `clearLogs()` first.
 */
export function silenceConsole(): void {
  beforeAll(() => {
    for (const m of CONSOLE) {
      if (!vi.isMockFunction(console[m])) vi.spyOn(console, m).mockImplementation(() => {});
    }
  });
}

/** Forgets the console output recorded so far. */
export function clearLogs(): void {
  for (const m of CONSOLE) vi.mocked(console[m]).mockClear();
}

/**
 * Console output since the last `clearLogs()`, one line per call in call order, whatever the
 * method (the spec says what is logged, not through which console method), whitespace collapsed.
 */
export function logLines(): string[] {
  const calls = CONSOLE.flatMap((m) => {
    const { calls, invocationCallOrder } = vi.mocked(console[m]).mock;
    return calls.map((args, i) => ({ order: invocationCallOrder[i] ?? 0, args }));
  });
  return calls
    .sort((a, b) => a.order - b.order)
    .map(({ args }) =>
      args
        .map((a) => (typeof a === 'string' ? a : show(a)))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
}
