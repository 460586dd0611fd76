/**
 * Focused tests: the public surface of `$`, the internals object, the `'#fatal'` key and the
 * construction options no catalogue test covers (auto-spec.md sections 1, 3, 4, 17).
 */
import { beforeEach, expect, it, vi } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { clearLogs, eachTarget, logLines } from './harness.js';

const MEMBERS = [
  '_',
  '#',
  'v',
  'add_static',
  'add_dynamic',
  'add_static_external',
  'add_static_internal',
  'add_static_mixed',
  'add_dynamic_external',
  'add_dynamic_internal',
  'add_dynamic_mixed',
  'flush',
  'batch',
];

eachTarget('surface', auto, ({ name, auto }) => {
  beforeEach(clearLogs);

  it('has the version string', () => {
    // the installed reference is the npm release 1.54.0; the spec (and we) describe 1.54.1
    expect(auto({}).v).toBe(name === 'reference' ? '1.54.0' : '1.54.1');
  });

  it('creates its members in order, and state keys are not enumerable', () => {
    const $ = auto({ a: 1, f: (_: any) => _.a });
    expect(Object.keys($)).toEqual(MEMBERS);
    expect(typeof $.flush).toBe('function');
    expect($.flush()).toBeUndefined();
  });

  it('defines statics with getter and setter, computeds with a getter only', () => {
    const $ = auto({ a: 1, f: (_: any) => _.a + 1 });
    const a = Object.getOwnPropertyDescriptor($, 'a');
    const f = Object.getOwnPropertyDescriptor($, 'f');
    expect(a).toMatchObject({ enumerable: false, configurable: false });
    expect(typeof a?.get).toBe('function');
    expect(typeof a?.set).toBe('function');
    expect(f).toMatchObject({ enumerable: false, configurable: false, set: undefined });
    expect(typeof f?.get).toBe('function');
    expect(() => {
      $.f = 5; // strict mode: no setter
    }).toThrow(TypeError);
    expect($._.value.f).toBe(2);
    expect($._.fatal).toEqual({});
  });

  it('hands computeds a `_` that looks like an empty object, whatever they do to it', () => {
    const seen: unknown[] = [];
    const $ = auto(
      {
        a: 1,
        f: (_: any) => {
          seen.push(Object.keys(_).length, Object.getPrototypeOf(_) === Object.prototype);
          // names of fields an implementation might keep on its own objects
          for (const name of ['name', 'value', 'deps', 'node', 'fn']) delete _[name];
          return _.a + 1;
        },
      },
      { auto_batch: false },
    );
    $.a = 2;
    expect($.f).toBe(3);
    expect(seen).toEqual([0, true, 0, true]);
    expect($._.deps).toEqual({ f: { a: true } });
    expect($._.fatal).toEqual({});
  });

  it('treats unknown outside keys as plain properties, never fatal', () => {
    const $ = auto({ a: 1 });
    expect($.zzz).toBeUndefined();
    $.nope = 1;
    expect($.nope).toBe(1);
    expect(Object.keys($)).toEqual([...MEMBERS, 'nope']);
    expect($._.value).toEqual({ a: 1 });
    expect($._.fatal).toEqual({});
  });

  it('exposes `$._` as one object with live members and no stack', () => {
    const $ = auto({ a: 1, f: (_: any) => _.a * 2 }, { auto_batch: false });
    const internals = $._;
    expect($._).toBe(internals);
    expect(Object.keys(internals)).toEqual(['subs', 'fn', 'deps', 'value', 'fatal']);
    expect('stack' in internals).toBe(false);
    const { value, deps, subs, fatal } = internals;
    $.a = 2;
    $['#'].f.subscribe(() => {});
    expect(value).toEqual({ a: 2, f: 4 });
    expect(deps).toEqual({ f: { a: true } });
    expect(Object.keys(subs)).toEqual(['f']);
    expect($._.value).toBe(value);
    expect($._.fatal).toBe(fatal);
  });

  it('keeps statics from construction, including null and undefined', () => {
    const $ = auto({ n: null, u: undefined, z: 0 });
    expect(Object.keys($._.value)).toEqual(['n', 'u', 'z']);
    expect($._.value).toStrictEqual({ n: null, u: undefined, z: 0 });
    expect($._.deps).toEqual({});
  });

  it('routes `#fatal` to the handler: in fn, never evaluated, never in deps or value', () => {
    const handler = vi.fn();
    const $ = auto({ a: 1, f: (_: any) => _.a, '#fatal': handler });
    expect(Object.keys($._.fn)).toEqual(['f', '#fatal']);
    expect($._.fn['#fatal']).toBe(handler);
    expect(handler).not.toHaveBeenCalled();
    expect('#fatal' in $._.deps).toBe(false);
    expect('#fatal' in $._.value).toBe(false);
    expect(Object.keys($['#'])).toEqual(['a', 'f', '#fatal']);
  });

  it('installs a default `#fatal` handler that logs FATAL <msg>', () => {
    const $ = auto({ a: (_: any) => _.b, b: (_: any) => _.a });
    expect(typeof $._.fn['#fatal']).toBe('function');
    expect(Object.keys($._.fn)).toEqual(['a', 'b', '#fatal']);
    expect(logLines().some((l) => l.startsWith('FATAL circular dependency'))).toBe(true);
  });

  it('runs the `opt.tests` self-check at boot and only warns', () => {
    const f = (_: any) => _.a.length;
    const $ = auto(
      { a: [1, 2], f },
      { tests: { f: { _: { a: [1] }, output: 1 } }, tag: 'T' }, // passes: no warning
    );
    expect(logLines().some((l) => l.includes('WARNING'))).toBe(false);
    expect($._.value.f).toBe(2);

    auto({ a: [1, 2], f }, { tests: { f: { _: { a: [1] }, output: 5 } }, tag: 'T' });
    expect(logLines().some((l) => l.includes('[T] WARNING test failed for f'))).toBe(true);

    clearLogs();
    const thrown = auto({ a: [1, 2], f }, { tests: { f: { _: {}, output: 1 } } }); // a is missing
    expect(logLines().some((l) => l.includes('f'))).toBe(true);
    expect(thrown._.fatal).toEqual({});
    expect(thrown._.value.f).toBe(2);
  });

  it('accepts the count option and prints [access counts] once after the interval', () => {
    vi.useFakeTimers();
    try {
      const $ = auto(
        { data: null, n: (_: any) => (_.data ? _.data.length : 0) },
        { count: { interval: 50, top: 5 }, auto_batch: false },
      );
      $.data = [1, 2, 3];
      expect($.n).toBe(3);
      expect(logLines().some((l) => l.includes('[access counts]'))).toBe(false);
      vi.advanceTimersByTime(50);
      expect(logLines().filter((l) => l.includes('[access counts]'))).toHaveLength(1);
      vi.advanceTimersByTime(500);
      expect(logLines().filter((l) => l.includes('[access counts]'))).toHaveLength(1);
      expect(() => auto({ a: 1, b: (_: any) => _.a }, { count: true }).flush()).not.toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs every evaluation with report_lag -1', () => {
    const $ = auto({ a: 1, slowish: (_: any) => _.a }, { report_lag: -1, auto_batch: false });
    expect(logLines().filter((l) => l.includes('slowish') && l.includes('took'))).toHaveLength(1);
    $.a = 2;
    expect(logLines().filter((l) => l.includes('slowish') && l.includes('took'))).toHaveLength(2);
  });
});
