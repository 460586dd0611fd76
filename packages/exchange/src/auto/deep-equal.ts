/**
 * Structural equality as auto.js defines it: arrays by element, plain objects by own enumerable
 * keys, cycles protected by remembering which pairs are being compared. Prototypes are ignored,
 * so two Dates (or Maps, Sets, Promises) always compare equal: the reference does the same.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  return equal(a, b, undefined);
}

function equal(a: unknown, b: unknown, seen: Map<object, unknown> | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (seen?.has(a)) return seen.get(a) === b;
  (seen ??= new Map()).set(a, b);
  const aIsArray = Array.isArray(a);
  if (aIsArray !== Array.isArray(b)) return false;
  if (aIsArray) {
    const bArray = b as unknown[];
    if (a.length !== bArray.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], bArray[i], seen)) return false;
    return true;
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b, key)) return false;
    if (!equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen))
      return false;
  }
  return true;
}
