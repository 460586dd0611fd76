import { isExchangeError } from '../../src/index.js';

/** The code `fn` fails with, or a description of what else happened (for one-line asserts). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isExchangeError(e) ? e.code : `not an ExchangeError: ${String(e)}`;
  }
  return 'no error';
}
