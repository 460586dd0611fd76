/**
 * How the CLI shows things to people: envelopes on one line, traces as `a → b → c`, errors
 * with their code, aligned tables. Colour comes from picocolors, which turns itself off when
 * stdout is not a terminal or `NO_COLOR` is set, so piped output is plain text.
 */
import pc from 'picocolors';
import type { Envelope, Hop } from '../index.js';

/** Longest value shown on a pretty line or in a table cell before it is cut with `…`. */
const VALUE_WIDTH = 120;

/** `CODE: message`, with the remote's own code and data for a RemoteError. */
export function formatError(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const { code, message, remoteCode, data } = e as {
    code?: unknown;
    message?: unknown;
    remoteCode?: unknown;
    data?: unknown;
  };
  const text = typeof message === 'string' ? message : compact(e);
  if (typeof code !== 'string') return text;
  if (code !== 'REMOTE') return `${code}: ${text}`;
  const details = data === undefined ? '' : ` ${compact(data)}`;
  return `REMOTE (${String(remoteCode)}): ${text}${details}`;
}

/** A value as JSON: indented for a terminal, one line otherwise; `undefined` as `null`. */
export function toJson(value: unknown, indent = process.stdout.isTTY): string {
  return JSON.stringify(value ?? null, null, indent ? 2 : undefined) ?? 'null';
}

/** JSON on one line, cut to `width` characters. */
export function compact(value: unknown, width = VALUE_WIDTH): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** `HH:MM:SS.mmm` in local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** `a → b → c`, each hop after the first with its delay from the first (`+3ms`). */
export function formatTrace(trace: readonly Hop[], timings = false): string {
  const first = trace[0]?.at ?? 0;
  return trace
    .map((hop, i) => (timings && i > 0 ? `${hop.ex} ${pc.dim(`+${hop.at - first}ms`)}` : hop.ex))
    .join(pc.dim(' → '));
}

/** One envelope on one line: time, kind (if not a plain message), name, from, headers, value, trace. */
export function formatEnvelope(env: Envelope): string {
  const parts = [pc.dim(clock(env.ts))];
  if (env.kind !== 'msg') parts.push(pc.yellow(env.kind));
  parts.push(pc.bold(pc.cyan(env.name)), `${pc.dim('from')} ${pc.magenta(env.from)}`);
  if (env.headers)
    parts.push(
      pc.dim(
        Object.entries(env.headers)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      ),
    );
  if (env.value !== undefined) parts.push(compact(env.value));
  parts.push(pc.dim('via ') + formatTrace(env.trace));
  return parts.join('  ');
}

/**
 * Rows as an aligned table under a dimmed header. Cells are plain text: colour would throw off
 * the widths, so only the header is coloured (after padding).
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [pc.dim(line(headers)), ...rows.map(line)].join('\n') + '\n';
}
