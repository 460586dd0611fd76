import type { AutoOptions, CountOptions, Trace } from './types.js';

/** Options with every default filled in. */
export interface ResolvedOptions {
  autoBatch: boolean;
  autoBatchDelay: number;
  trace: ((trace: Trace) => void) | undefined;
  deepEqual: boolean;
  count: CountOptions | undefined;
  maxCallsPerSecond: number;
  callRateWindow: number;
  callRateBackoff: number;
  collectionPeriod: number;
  gracePeriod: number;
  debugCount: number;
  exclude: Record<string, unknown>;
  historySize: number;
  tag: string | undefined;
  deepLog: boolean;
  watch: Record<string, unknown>;
  reportLag: number;
  tests: NonNullable<AutoOptions['tests']>;
  signalPrefix: string;
}

/**
 * Fill in defaults (spec §17). One deliberate difference from the reference: the call-rate grace
 * period is 0, not 3000 ms, so a runaway computed is caught from the start (tests 067 and 073
 * expect this); pass `call_rate_grace_period: 3000` for the reference's behaviour.
 */
export function resolveOptions(opt: AutoOptions = {}): ResolvedOptions {
  const count = opt.count === true ? {} : opt.count || undefined;
  return {
    autoBatch: opt.auto_batch ?? true,
    autoBatchDelay: opt.auto_batch_delay ?? 0,
    trace: opt.trace,
    deepEqual: opt.deep_equal ?? true,
    count,
    maxCallsPerSecond: opt.max_calls_per_second ?? 10,
    callRateWindow: opt.call_rate_window ?? 1000,
    callRateBackoff: opt.call_rate_backoff ?? 5000,
    collectionPeriod: opt.excessive_calls_collection_period ?? 2000,
    gracePeriod: opt.call_rate_grace_period ?? 0,
    debugCount: opt.call_rate_debug_count ?? 10,
    exclude: opt.excessive_calls_exclude ?? {},
    historySize: opt.static_value_history_size ?? 30,
    tag: opt.tag,
    deepLog: opt.deep_log ?? false,
    watch: opt.watch ?? {},
    reportLag: opt.report_lag ?? 100,
    tests: opt.tests ?? {},
    signalPrefix: opt.signal_prefix ?? 'auto.',
  };
}
