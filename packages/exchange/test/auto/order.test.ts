/**
 * Conformance: which functions a transaction touches, in which order, how often
 * (auto-spec.md sections 8, 18; catalogue 045–048).
 */
import { auto } from '../../src/auto/index.js';
import { conformance, type Fixture } from './harness.js';

const fixtures: Fixture[] = [
  {
    id: '045_large_graph_performance',
    make: () => ({
      obj: {
        branch_a: 1,
        derived_a1: ($: any) => $.branch_a * 2,
        derived_a2: ($: any) => $.derived_a1 * 2,
        branch_b: 1,
        derived_b1: ($: any) => $.branch_b * 2,
        derived_b2: ($: any) => $.derived_b1 * 2,
        branch_c: 1,
        derived_c1: ($: any) => $.branch_c * 2,
        derived_c2: ($: any) => $.derived_c1 * 2,
      },
      fn: ($, global) => {
        $.branch_a = 10;
        // `$._.value` does not flush, so this also shows the pending write did not clear them
        global.branch_b_still_has_value = 'derived_b1' in $._.value;
        global.branch_c_still_has_value = 'derived_c1' in $._.value;
      },
      opt: { count: true },
      _: {
        fn: ['derived_a1', 'derived_a2', 'derived_b1', 'derived_b2', 'derived_c1', 'derived_c2'],
        subs: {},
        deps: {
          derived_a1: { branch_a: true },
          derived_a2: { derived_a1: true },
          derived_b1: { branch_b: true },
          derived_b2: { derived_b1: true },
          derived_c1: { branch_c: true },
          derived_c2: { derived_c1: true },
        },
        value: {
          branch_a: 10,
          derived_a1: 20,
          derived_a2: 40,
          branch_b: 1,
          derived_b1: 2,
          derived_b2: 4,
          branch_c: 1,
          derived_c1: 2,
          derived_c2: 4,
        },
        fatal: {},
      },
      global: { branch_b_still_has_value: true, branch_c_still_has_value: true },
    }),
  },
  {
    id: '046_update_order',
    make: () => {
      let order: string[] = [];
      return {
        obj: {
          data: 1,
          left: ($: any) => (order.push('left'), $.data * 2),
          right: ($: any) => (order.push('right'), $.data * 3),
          bottom: ($: any) => (order.push('bottom'), $.left + $.right),
        },
        fn: ($, global) => {
          order = [];
          $.data = 10;
          global.execution_order = order;
          global.bottom_after_left = order.indexOf('bottom') > order.indexOf('left');
          global.bottom_after_right = order.indexOf('bottom') > order.indexOf('right');
          global.all_ran = order.length === 3;
        },
        opt: { auto_batch: false },
        _: {
          fn: ['left', 'right', 'bottom'],
          subs: {},
          deps: {
            left: { data: true },
            right: { data: true },
            bottom: { left: true, right: true },
          },
          value: { data: 10, left: 20, right: 30, bottom: 50 },
          fatal: {},
        },
        global: {
          // affected is [left, bottom, right]; the topological sort gives exactly this order
          execution_order: ['left', 'right', 'bottom'],
          bottom_after_left: true,
          bottom_after_right: true,
          all_ran: true,
        },
      };
    },
  },
  {
    id: '047_no_duplicate_updates',
    make: () => {
      let counts: Record<string, number> = {};
      const track = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
      return {
        obj: {
          a: 1,
          b: ($: any) => (track('b'), $.a * 2),
          c: ($: any) => (track('c'), $.b * 2),
          d: ($: any) => (track('d'), $.c * 2),
        },
        fn: ($, global) => {
          counts = {};
          $.a = 10;
          global.first_counts = { ...counts };
          counts = {};
          $.a = 20;
          global.second_counts = { ...counts };
        },
        opt: { auto_batch: false },
        _: {
          fn: ['b', 'c', 'd'],
          subs: {},
          deps: { b: { a: true }, c: { b: true }, d: { c: true } },
          value: { a: 20, b: 40, c: 80, d: 160 },
          fatal: {},
        },
        global: { first_counts: { b: 1, c: 1, d: 1 }, second_counts: { b: 1, c: 1, d: 1 } },
      };
    },
  },
  {
    id: '048_timing_benchmark',
    make: () => {
      const obj: Record<string, any> = {};
      const fnNames: string[] = [];
      const deps: Record<string, any> = {};
      const value: Record<string, any> = {};
      for (let i = 0; i < 10; i++) {
        obj[`branch_${i}`] = i;
        obj[`derived_${i}a`] = ($: any) => $[`branch_${i}`] * 2;
        obj[`derived_${i}b`] = ($: any) => $[`derived_${i}a`] * 2;
        fnNames.push(`derived_${i}a`, `derived_${i}b`);
        deps[`derived_${i}a`] = { [`branch_${i}`]: true };
        deps[`derived_${i}b`] = { [`derived_${i}a`]: true };
        const b = i === 0 ? 99 : i;
        Object.assign(value, {
          [`branch_${i}`]: b,
          [`derived_${i}a`]: b * 2,
          [`derived_${i}b`]: b * 4,
        });
      }
      return {
        obj,
        // default options: auto-batching queues the writes; the runner's flush propagates once
        fn: ($, global) => {
          const iterations = 100;
          const start = performance.now();
          for (let i = 0; i < iterations; i++) $.branch_0 = i;
          const elapsed = performance.now() - start;
          global.iterations = iterations;
          global.fast_enough = elapsed / iterations < 1.0;
        },
        _: { fn: fnNames, subs: {}, deps, value, fatal: {} },
        global: { iterations: 100, fast_enough: true },
      };
    },
  },
];

conformance('order', fixtures, auto);
