import type { Auto, Trace, Trigger } from './types.js';

/** One recorded transaction: the chosen inputs that triggered it and the chosen outputs. */
export interface Recording {
  id: number;
  timestamp: number;
  inputs: Trigger[];
  outputs: Record<string, unknown>;
  trace: { id: number; allTriggers: Trigger[]; allUpdates: Record<string, unknown> };
}

export interface RecorderInit {
  /** Statics whose writes are recorded. */
  inputs: string[];
  /** Computeds whose new values are kept with each recording. */
  outputs: string[];
}

export interface PlaybackResult {
  passed: number;
  failed: number;
  total: number;
  failures: { id: number; expected: Record<string, unknown>; actual: Record<string, unknown> }[];
}

export interface Recorder {
  /** Pass as `auto(obj, { trace: rec.trace })`. */
  readonly trace: (trace: Trace) => void;
  readonly recordings: readonly Recording[];
  readonly initial: Record<string, unknown> | undefined;
  /** Remember the statics' current values as the state playback starts from. */
  snapshot(state: Auto<object>): void;
  /** JSON of the initial state and recordings. */
  save(): string;
  /** Replace the recordings and initial state with ones from `save()`. */
  load(json: string): void;
  /** Replay every recording on fresh instances and compare their outputs. */
  playback(
    create: () => Auto<object>,
    compare?: (expected: unknown, actual: unknown) => boolean,
  ): PlaybackResult;
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Record transactions driven by chosen inputs and replay them later to check that the same inputs
 * still give the same outputs (auto.js's `recorder.cjs`, spec §16).
 */
export function recorder(init: RecorderInit): Recorder {
  let recordings: Recording[] = [];
  let initial: Record<string, unknown> | undefined;
  const inputSet = new Set(init.inputs);

  const trace = (t: Trace): void => {
    const inputs = t.triggers.filter((tr) => inputSet.has(tr.name));
    if (inputs.length === 0) return;
    const outputs: Record<string, unknown> = {};
    for (const name of init.outputs)
      if (name in t.updates) outputs[name] = structuredClone(t.updates[name]);
    recordings.push({
      id: t.id,
      timestamp: t.timestamp,
      inputs: inputs.map((tr) => ({ name: tr.name, value: structuredClone(tr.value) })),
      outputs,
      trace: { id: t.id, allTriggers: t.triggers, allUpdates: t.updates },
    });
  };

  const write = (state: Auto<object>, name: string, value: unknown) => state['#'][name]?.set(value);

  return {
    trace,
    get recordings() {
      return recordings;
    },
    get initial() {
      return initial;
    },
    snapshot(state) {
      initial = {};
      for (const [name, value] of Object.entries(state._.value)) {
        if (!(name in state._.fn)) initial[name] = structuredClone(value);
      }
    },
    save: () => JSON.stringify({ initial, recordings }),
    load(json) {
      const data = JSON.parse(json) as {
        initial?: Record<string, unknown>;
        recordings?: Recording[];
      };
      initial = data.initial;
      recordings = data.recordings ?? [];
    },
    playback(create, compare = byJson) {
      const result: PlaybackResult = {
        passed: 0,
        failed: 0,
        total: recordings.length,
        failures: [],
      };
      for (const rec of recordings) {
        const state = create();
        for (const [name, value] of Object.entries(initial ?? {}))
          write(state, name, structuredClone(value));
        state.flush();
        for (const input of rec.inputs) write(state, input.name, structuredClone(input.value));
        state.flush();
        const actual: Record<string, unknown> = {};
        for (const name of Object.keys(rec.outputs)) actual[name] = state._.value[name];
        if (Object.keys(rec.outputs).every((n) => compare(rec.outputs[n], actual[n])))
          result.passed++;
        else (result.failed++, result.failures.push({ id: rec.id, expected: rec.outputs, actual }));
      }
      return result;
    },
  };
}
