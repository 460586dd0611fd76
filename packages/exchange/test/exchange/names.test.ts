import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../../src/exchange/errors.js';
import {
  isPattern,
  isSystemName,
  isValidName,
  isValidPattern,
  matches,
  MAX_NAME_LENGTH,
  MAX_TOKEN_LENGTH,
  MAX_TOKENS,
  SYSTEM_PREFIX,
  validateName,
  validatePattern,
} from '../../src/exchange/names.js';

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';

/** The rules of names.ts restated the plain way, with split and a regex, for property tests. */
function referenceValid(s: string, pattern: boolean): boolean {
  if (s.length === 0 || s.length > MAX_NAME_LENGTH) return false;
  const tokens = s.split('.');
  if (tokens.length > MAX_TOKENS) return false;
  return tokens.every((t, i) => {
    if (pattern && t === '*') return true;
    if (pattern && t === '>') return i === tokens.length - 1;
    const body = i === 0 && t.startsWith('$') ? t.slice(1) : t;
    return t.length <= MAX_TOKEN_LENGTH && /^[\w-]+$/.test(body);
  });
}

/** NATS matching restated on token arrays. */
function referenceMatches(pattern: string, name: string): boolean {
  const p = pattern.split('.');
  const n = name.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>' && i === p.length - 1) return n.length > i;
    if (i >= n.length || (p[i] !== '*' && p[i] !== n[i])) return false;
  }
  return p.length === n.length;
}

/** The message validateName / validatePattern throws for `s`, or undefined if it passes. */
function messageOf(validate: (s: unknown) => void, s: unknown): string | undefined {
  try {
    validate(s);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidNameError);
    expect((e as InvalidNameError).code).toBe('INVALID_NAME');
    return (e as Error).message;
  }
}

const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const validName = fc
  .tuple(fc.boolean(), fc.array(token, { minLength: 1, maxLength: MAX_TOKENS }))
  .map(([system, tokens]) => (system ? '$' : '') + tokens.join('.'))
  .filter((s) => s.length <= MAX_NAME_LENGTH);

describe('validateName', () => {
  it.each([
    'a',
    'db.query',
    'user.42.login',
    'A-b_c.0-9',
    '$exchange.peer.join',
    '$sys',
    'x'.repeat(MAX_TOKEN_LENGTH),
    Array(MAX_TOKENS).fill('t').join('.'),
    `${'a'.repeat(64)}.${'b'.repeat(64)}.${'c'.repeat(64)}.${'d'.repeat(61)}`, // exactly 256
  ])('accepts %j', (name) => {
    expect(() => validateName(name)).not.toThrow();
    expect(isValidName(name)).toBe(true);
  });

  it.each([
    ['', 'empty name'],
    ['a..b', "empty token at position 2 in 'a..b'"],
    ['.a', "empty token at position 1 in '.a'"],
    ['a.', "empty token at position 2 in 'a.'"],
    ['.', "empty token at position 1 in '.'"],
    ['a b', "invalid character ' ' (U+0020) at offset 1 in 'a b'"],
    ['db.q#', "invalid character '#' (U+0023) at offset 4 in 'db.q#'"],
    ['a/b', "invalid character '/' (U+002F) at offset 1 in 'a/b'"],
    ['caf\u00e9', "invalid character '\u00e9' (U+00E9) at offset 3 in 'caf\u00e9'"],
    ['a\nb', "invalid character U+000A at offset 1 in 'a\nb'"],
    ['x\u{1f600}', "invalid character '\u{1f600}' (U+1F600) at offset 1 in 'x\u{1f600}'"],
    ['a.*', "wildcard '*' at position 2 in 'a.*' (wildcards are allowed only in patterns)"],
    ['>', "wildcard '>' at position 1 in '>' (wildcards are allowed only in patterns)"],
    ['a.b*', "wildcard '*' at position 2 in 'a.b*' (wildcards are allowed only in patterns)"],
    ['a$', "'$' is allowed only as the first character of the name, found at offset 1 in 'a$'"],
    ['a.$b', "'$' is allowed only as the first character of the name, found at offset 2 in 'a.$b'"],
    ['$$a', "'$' is allowed only as the first character of the name, found at offset 1 in '$$a'"],
    ['$', "bare '$' at position 1 in '$'"],
    ['$.a', "bare '$' at position 1 in '$.a'"],
    [
      `a.${'x'.repeat(65)}`,
      `token too long at position 2: 65 characters, max 64, in 'a.${'x'.repeat(65)}'`,
    ],
    [
      Array(17).fill('t').join('.'),
      `too many tokens: 17, max 16, in '${Array(17).fill('t').join('.')}'`,
    ],
    [
      Array(20).fill('t').join('.'),
      `too many tokens: 20, max 16, in '${Array(20).fill('t').join('.')}'`,
    ],
    ['n'.repeat(257), `name too long: 257 characters, max 256, in '${'n'.repeat(32)}…'`],
  ])('rejects %j: %s', (name, message) => {
    expect(messageOf(validateName, name)).toBe(message);
    expect(isValidName(name)).toBe(false);
  });

  it('reports the first problem from the left', () => {
    expect(messageOf(validateName, 'a#..b')).toBe(
      "invalid character '#' (U+0023) at offset 1 in 'a#..b'",
    );
    expect(messageOf(validateName, 'a..b#')).toBe("empty token at position 2 in 'a..b#'");
  });

  it.each([
    [undefined, 'name must be a string, got undefined'],
    [42, 'name must be a string, got number'],
    [Object.create(null), 'name must be a string, got object'],
  ])('rejects a non-string %j', (name, message) => {
    expect(messageOf(validateName, name)).toBe(message);
    expect(isValidName(name)).toBe(false);
  });

  it('puts the offending name in the error data', () => {
    try {
      validateName('a..b');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidNameError).data).toEqual({ name: 'a..b' });
    }
  });

  it('property: every generated valid name passes, and splits back into its tokens', () => {
    fc.assert(
      fc.property(validName, (name) => {
        validateName(name);
        validatePattern(name);
        expect(isValidName(name)).toBe(true);
        expect(name.split('.').join('.')).toBe(name);
      }),
    );
  });

  it('property: agrees with the reference rules on arbitrary strings', () => {
    const char = fc.constantFrom(...'ab_-9Z.$*> #\u00e9');
    fc.assert(
      fc.property(fc.string({ unit: char, maxLength: 24 }), (s) => {
        expect(isValidName(s)).toBe(referenceValid(s, false) && !/[*>]/.test(s));
        expect(isValidPattern(s)).toBe(referenceValid(s, true));
        expect(messageOf(validateName, s) === undefined).toBe(isValidName(s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validatePattern', () => {
  it.each(['a', 'a.b', '*', '>', 'a.*', '*.b', 'a.>', '*.*.>', '$exchange.>', '$exchange.*.x'])(
    'accepts %j',
    (pattern) => {
      expect(() => validatePattern(pattern)).not.toThrow();
      expect(isValidPattern(pattern)).toBe(true);
    },
  );

  it.each([
    ['', 'empty pattern'],
    ['a..*', "empty token at position 2 in 'a..*'"],
    ['a.b*', "'*' must be a whole token, at position 2 in 'a.b*'"],
    ['*a', "'*' must be a whole token, at position 1 in '*a'"],
    ['**', "'*' must be a whole token, at position 1 in '**'"],
    ['a.b>', "'>' must be a whole token, at position 2 in 'a.b>'"],
    ['>>', "'>' must be a whole token, at position 1 in '>>'"],
    ['$*', "'*' must be a whole token, at position 1 in '$*'"],
    ['a.>.b', "'>' must be the last token, found at position 2 in 'a.>.b'"],
    ['>.>', "'>' must be the last token, found at position 1 in '>.>'"],
    ['a.*.#', "invalid character '#' (U+0023) at offset 4 in 'a.*.#'"],
    [7, 'pattern must be a string, got number'],
    ['p'.repeat(300), `pattern too long: 300 characters, max 256, in '${'p'.repeat(32)}…'`],
  ])('rejects %j: %s', (pattern, message) => {
    expect(messageOf(validatePattern, pattern)).toBe(message);
    expect(isValidPattern(pattern)).toBe(false);
  });
});

describe('isPattern, isSystemName', () => {
  it.each([
    ['a.*', true],
    ['*', true],
    ['a.>', true],
    ['>', true],
    ['*.b', true],
    ['a.b', false],
    ['a.b*', false],
    ['a>', false],
    ['$exchange.x', false],
  ])('isPattern(%j) is %s', (p, expected) => {
    expect(isPattern(p)).toBe(expected);
  });

  it('knows the reserved prefix', () => {
    expect(SYSTEM_PREFIX).toBe('$exchange.');
    expect(isSystemName('$exchange.peer.join')).toBe(true);
    expect(isSystemName('$exchange')).toBe(false);
    expect(isSystemName('exchange.peer')).toBe(false);
    expect(isSystemName('$other.x')).toBe(false);
  });
});

describe('matches', () => {
  it.each([
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.b', 'a.b.c', false],
    ['a.b.c', 'a.b', false],
    ['a.b', 'a.bb', false],
    ['a.bb', 'a.b', false],
    ['ab', 'a.b', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a', false],
    ['a.*', 'a.b.c', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['*.b', 'a.b', true],
    ['*.*', 'a.b', true],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.>', 'b.c', false],
    ['>', 'a', true],
    ['>', 'a.b.c', true],
    ['*.>', 'a', false],
    ['*.>', 'a.b', true],
    ['a.*.>', 'a.b.c.d', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['$exchange.>', '$exchange.peer.join', true],
  ])('matches(%j, %j) is %s', (pattern, name, expected) => {
    expect(matches(pattern, name)).toBe(expected);
    expect(referenceMatches(pattern, name)).toBe(expected);
  });

  it('property: agrees with the reference model', () => {
    const nameToken = fc.constantFrom('a', 'b', 'ab');
    const name = fc.array(nameToken, { minLength: 1, maxLength: 5 }).map((t) => t.join('.'));
    const pattern = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', 'ab', '*'), { maxLength: 5 }), fc.boolean())
      .filter(([tokens, rest]) => tokens.length > 0 || rest)
      .map(([tokens, rest]) => [...tokens, ...(rest ? ['>'] : [])].join('.'));
    fc.assert(
      fc.property(pattern, name, (p, n) => {
        expect(matches(p, n)).toBe(referenceMatches(p, n));
      }),
      { numRuns: 5000 },
    );
  });

  it('property: a name matches itself, and a pattern with its last token replaced by >', () => {
    fc.assert(
      fc.property(validName, (n) => {
        expect(matches(n, n)).toBe(true);
        const tokens = n.split('.');
        expect(matches([...tokens.slice(0, -1), '>'].join('.'), n)).toBe(true);
        expect(matches([...tokens, '>'].join('.'), n)).toBe(false);
        expect(matches(tokens.map(() => '*').join('.'), n)).toBe(true);
      }),
    );
  });
});
