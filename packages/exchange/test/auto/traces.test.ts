/**
 * Conformance: the trace option and a recorder built on it (auto-spec.md sections 8, 16;
 * catalogue 037, 066).
 */
import { afterEach, expect, it, vi } from 'vitest';
import { auto } from '../../src/auto/index.js';
import { conformance, eachTarget, type AutoFactory, type Fixture } from './harness.js';

const fixtures: Fixture[] = [
  {
    id: '037_trace',
    make: () => {
      const traces: any[] = [];
      return {
        obj: {
          data: [1, 2, 3],
          combine: (_: any) => _.data.length + _.func_1 + _.func_2,
          func_1: (_: any) => _.data.length,
          func_2: (_: any) => _.data.length + 10,
        },
        fn: ($, global) => {
          $.data = [1, 2, 3, 4];
          $.data = [2, 3, 4];
          const [first, second] = traces;
          global.trace_count = traces.length;
          global.first_trigger_name = first.triggers[0].name;
          global.first_trigger_value = first.triggers[0].value;
          global.first_updates = first.updates;
          global.second_trigger_name = second.triggers[0].name;
          global.second_trigger_value = second.triggers[0].value;
          global.second_updates = second.updates;
          global.has_ids = typeof first.id === 'number' && typeof second.id === 'number';
          global.has_timestamps =
            typeof first.timestamp === 'number' && typeof second.timestamp === 'number';
        },
        opt: { auto_batch: false, trace: (t: any) => traces.push(t) },
        _: {
          fn: ['func_1', 'func_2', 'combine'],
          subs: {},
          deps: {
            func_1: { data: true },
            func_2: { data: true },
            combine: { func_1: true, func_2: true, data: true },
          },
          value: { data: [2, 3, 4], func_1: 3, func_2: 13, combine: 19 },
          fatal: {},
        },
        global: {
          trace_count: 2,
          first_trigger_name: 'data',
          first_trigger_value: [1, 2, 3, 4],
          first_updates: { func_1: 4, func_2: 14, combine: 22 },
          second_trigger_name: 'data',
          second_trigger_value: [2, 3, 4],
          second_updates: { func_1: 3, func_2: 13, combine: 19 },
          has_ids: true,
          has_timestamps: true,
        },
      };
    },
  },
  {
    // 066 carries its own minimal recorder: it needs only a static write, `$.flush()` and
    // `$._.value` reflecting the new values (spec 16)
    id: '066_recorder_basic',
    make: () => ({
      obj: { input: 0, doubled: ($: any) => $.input * 2, tripled: ($: any) => $.input * 3 },
      fn: ($, global) => {
        const recordings: { input: number; outputs: Record<string, unknown> }[] = [];
        const record = (input: number) =>
          recordings.push({
            input: structuredClone(input),
            outputs: { doubled: $._.value.doubled, tripled: $._.value.tripled },
          });
        $.input = 5;
        $.flush();
        record(5);
        $.input = 10;
        $.flush();
        record(10);

        global.recording_count = recordings.length;
        global.first_input = recordings[0]?.input;
        global.first_doubled = recordings[0]?.outputs.doubled;
        global.first_tripled = recordings[0]?.outputs.tripled;
        global.second_input = recordings[1]?.input;
        global.second_doubled = recordings[1]?.outputs.doubled;
        global.second_tripled = recordings[1]?.outputs.tripled;

        let passed = 0;
        let failed = 0;
        for (const rec of recordings) {
          $.input = 0; // back to the initial state
          $.flush();
          $.input = rec.input;
          $.flush();
          const same = Object.entries(rec.outputs).every(([k, v]) => $._.value[k] === v);
          if (same) passed++;
          else failed++;
        }
        global.playback_passed = passed;
        global.playback_failed = failed;
        global.playback_total = recordings.length;
      },
      opt: { auto_batch: true, auto_batch_delay: 0 },
      _: {
        fn: ['doubled', 'tripled'],
        subs: {},
        deps: { doubled: { input: true }, tripled: { input: true } },
        value: { input: 10, doubled: 20, tripled: 30 },
        fatal: {},
      },
      global: {
        recording_count: 2,
        first_input: 5,
        first_doubled: 10,
        first_tripled: 15,
        second_input: 10,
        second_doubled: 20,
        second_tripled: 30,
        playback_passed: 2,
        playback_failed: 0,
        playback_total: 2,
      },
    }),
  },
];

conformance('traces', fixtures, auto);

eachTarget('traces, focused', auto, ({ auto }) => {
  afterEach(() => vi.useRealTimers());

  it('builds { id, timestamp, triggers, updates }, ids from 1 per instance', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-02T03:04:05Z'));
    const traces: any[] = [];
    const arr = [1, 2];
    const $ = auto(
      { list: [], other: 1, n: (_: any) => _.list.length, same: (_: any) => _.other > 0 },
      { auto_batch: false, trace: (t: any) => traces.push(t) },
    );
    $.list = arr;
    $.other = 2; // `same` recomputes to the same value: not in updates
    expect(traces).toHaveLength(2);
    expect(Object.keys(traces[0]).sort()).toEqual(['id', 'timestamp', 'triggers', 'updates']);
    expect(traces[0]).toEqual({
      id: 1,
      timestamp: Date.parse('2030-01-02T03:04:05Z'),
      triggers: [{ name: 'list', value: arr }],
      updates: { n: 2 }, // the static trigger is not in updates
    });
    expect(traces[0].triggers[0].value).toBe(arr);
    expect(traces[1]).toMatchObject({ id: 2, updates: {} });
    const other: any[] = [];
    const $2 = auto({ a: 1 }, { auto_batch: false, trace: (t: any) => other.push(t) });
    $2.a = 2;
    expect(other[0].id).toBe(1);
  });

  it('returns the same trace from `batch` that it passes to opt.trace', () => {
    const traces: any[] = [];
    const $ = auto({ a: 1, f: (_: any) => _.a }, { trace: (t: any) => traces.push(t) });
    const t = $.batch(() => {
      $.a = 2;
      $.a = 3;
    });
    expect(traces).toEqual([t]);
    expect(traces[0]).toBe(t);
    expect(t.triggers).toEqual([
      { name: 'a', value: 2 },
      { name: 'a', value: 3 },
    ]);
    expect(t.updates).toEqual({ f: 3 });
  });

  it('includes an async computed trigger in updates, with its dependents', async () => {
    const traces: any[] = [];
    const $ = auto(
      { x: 1, p: async () => 5, q: (_: any) => (typeof _.p === 'number' ? _.p + _.x : -1) },
      { trace: (t: any) => traces.push(t) },
    );
    expect($._.value.q).toBe(-1);
    await $._.value.p;
    expect(traces).toHaveLength(1);
    expect(traces[0].triggers).toEqual([{ name: 'p', value: 5 }]);
    expect(traces[0].updates).toEqual({ p: 5, q: 6 });
  });

  it('drives a recorder: record the transactions an input triggers, replay them', () => {
    const spec = {
      input: 0,
      noise: 0,
      doubled: (_: any) => _.input * 2,
      tripled: (_: any) => _.input * 3,
      both: (_: any) => _.doubled + _.noise,
    };
    const { recordings, record } = recorder('input', ['doubled', 'tripled']);
    const $ = auto({ ...spec }, { trace: record });
    const initial = { ...$._.value };
    $.input = 5;
    $.flush();
    $.noise = 1; // not a chosen input: not recorded
    $.flush();
    $.input = 10;
    $.flush();
    expect(recordings).toEqual([
      { id: 1, inputs: [{ name: 'input', value: 5 }], outputs: { doubled: 10, tripled: 15 } },
      { id: 3, inputs: [{ name: 'input', value: 10 }], outputs: { doubled: 20, tripled: 30 } },
    ]);
    expect(playback(auto, spec, initial, recordings)).toEqual({ passed: 2, failed: 0 });
    const wrong = [{ ...recordings[0], outputs: { doubled: 11 } }];
    expect(playback(auto, spec, initial, wrong)).toEqual({ passed: 0, failed: 1 });
  });
});

interface Recording {
  id: number;
  inputs: { name: string; value: unknown }[];
  outputs: Record<string, unknown>;
}

/** The essence of `recorder.cjs`: keep traces triggered by `input`, with the chosen outputs. */
function recorder(input: string, outputs: string[]) {
  const recordings: Recording[] = [];
  const record = (trace: any) => {
    const inputs = trace.triggers.filter((t: any) => t.name === input);
    if (inputs.length === 0) return;
    recordings.push({
      id: trace.id,
      inputs: inputs.map((t: any) => ({ name: t.name, value: structuredClone(t.value) })),
      outputs: Object.fromEntries(
        outputs.filter((o) => o in trace.updates).map((o) => [o, trace.updates[o]]),
      ),
    });
  };
  return { recordings, record };
}

/** Fresh instance per recording: initial state, flush, inputs, flush, compare outputs. */
function playback(
  auto: AutoFactory,
  spec: Record<string, unknown>,
  initial: Record<string, unknown>,
  recordings: Recording[],
) {
  let passed = 0;
  let failed = 0;
  for (const rec of recordings) {
    const $ = auto({ ...spec });
    for (const [k, v] of Object.entries(initial)) if (typeof spec[k] !== 'function') $[k] = v;
    $.flush();
    for (const { name, value } of rec.inputs) $[name] = value;
    $.flush();
    const ok = Object.entries(rec.outputs).every(
      ([k, v]) => JSON.stringify($._.value[k]) === JSON.stringify(v),
    );
    if (ok) passed++;
    else failed++;
  }
  return { passed, failed };
}
