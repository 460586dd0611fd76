// The validator remembers exchange ids and names it found valid (they recur in every frame):
// that memo must never let a bad one through, and it stays bounded.
import { describe, expect, it } from 'vitest';
import { exchangeId, isExchangeId, messageName } from '../../src/wire/checks.js';
import { codeOf } from './code-of.js';

describe('checks of ids and names (with the memo of valid ones)', () => {
  it('accepts the same valid id and name again, and refuses bad ones however many came before', () => {
    for (let k = 0; k < 3000; k++) {
      expect(isExchangeId(`peer-${k}`)).toBe(true);
      expect(codeOf(() => messageName(`orders.n${k}.created`, 0, 'env.name'))).toBe('no error');
      expect(codeOf(() => messageName(`orders.n${k}.created`, 0, 'env.name'))).toBe('no error');
    }
    expect(isExchangeId('has space')).toBe(false);
    expect(isExchangeId('x'.repeat(65))).toBe(false);
    expect(isExchangeId(42)).toBe(false);
    expect(codeOf(() => exchangeId('no/slash', 0, 'env.from'))).toBe('BAD_FRAME');
    expect(codeOf(() => messageName('orders.*', 0, 'env.name'))).toBe('INVALID_NAME');
    expect(codeOf(() => messageName('a..b', 0, 'env.name'))).toBe('INVALID_NAME');
    expect(codeOf(() => messageName(7, 0, 'env.name'))).toBe('BAD_FRAME');
  });
});
