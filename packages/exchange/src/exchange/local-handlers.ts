/**
 * Local handlers, and which one answers when several of this exchange's own patterns match a
 * name.
 */
import type { MessageHandler } from './exchange.js';

/** A handler registered on this exchange, with the pattern it was registered for. */
export interface LocalHandler {
  pattern: string;
  fn: MessageHandler;
}

/**
 * Of several local handlers matching one name, the most specific answers: token by token, a
 * literal beats `*`, which beats `>` (so `users.list` beats `users.*`, which beats `users.>`).
 */
export function mostSpecific(handlers: LocalHandler[]): LocalHandler | undefined {
  let best = handlers[0];
  for (let i = 1; i < handlers.length; i++)
    if (specificity(handlers[i].pattern, best.pattern) > 0) best = handlers[i];
  return best;
}

/** > 0 if pattern `a` is more specific than `b`, < 0 if less, 0 if as specific. */
function specificity(a: string, b: string): number {
  const ta = a.split('.');
  const tb = b.split('.');
  const rank = (t: string | undefined) => (t === undefined || t === '>' ? 0 : t === '*' ? 1 : 2);
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const d = rank(ta[i]) - rank(tb[i]);
    if (d !== 0) return d;
  }
  return 0;
}
