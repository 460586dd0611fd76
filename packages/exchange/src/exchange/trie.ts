/**
 * A token trie of patterns, for routing: `match(name)` finds every value whose pattern matches
 * a name at a cost that grows with the name's tokens and the branches that match, not with the
 * number of patterns.
 *
 * @example
 * const routes = new PatternTrie<string>();
 * routes.add('db.query', 'exact').add('db.*', 'star').add('db.>', 'rest');
 * routes.match('db.query'); // ['rest', 'exact', 'star'] (in no particular order)
 * routes.match('db.a.b'); // ['rest']
 */
import { CompactSet } from './compact.js';
import { validatePattern } from './names.js';

/** One token level. Wildcards get their own fields, so matching never looks them up by key. */
class Node<T> {
  /** Literal tokens. */
  children: Map<string, Node<T>> | undefined = undefined;
  /** The `*` child. */
  star: Node<T> | undefined = undefined;
  /** Values of patterns that end here (mostly one: a hub's leaves each observe their own). */
  values: CompactSet<T> | undefined = undefined;
  /** Values of patterns that end here with `>` (one or more further tokens). */
  rest: CompactSet<T> | undefined = undefined;

  get empty(): boolean {
    return !this.children && !this.star && !this.values && !this.rest;
  }
}

/** Past this many results, dedupe through a Set instead of scanning the array. */
const SCAN_LIMIT = 16;

/** Values keyed by pattern (`db.query`, `db.*`, `db.>`), several values per pattern. */
export class PatternTrie<T> {
  #root = new Node<T>();
  #size = 0;
  // Reused across `match` calls (which run no outside code, so cannot re-enter): the name's
  // tokens, and the state of the results being collected.
  #tokens: string[] = [];
  #count = 0;
  #out: T[] | Set<T> = [];
  #start = 0;
  #sets = 0;
  #seen: Set<T> | undefined = undefined;

  /** How many (pattern, value) entries the trie holds. */
  get size(): number {
    return this.#size;
  }

  /**
   * How many nodes the trie has, the root included: a memory figure. Removal prunes, so this
   * tracks the patterns held, not every pattern ever added.
   */
  get nodes(): number {
    return countNodes(this.#root);
  }

  /**
   * Add `value` under `pattern` (no-op if it is already there).
   * @param pattern - a valid pattern or name.
   * @param value - what `match` returns for names the pattern matches.
   * @returns this trie, for chaining.
   * @throws {InvalidNameError} if `pattern` is not a valid pattern.
   */
  add(pattern: string, value: T): this {
    validatePattern(pattern);
    const tokens = pattern.split('.');
    const rest = tokens[tokens.length - 1] === '>';
    let node = this.#root;
    for (let i = 0; i < tokens.length - (rest ? 1 : 0); i++) node = child(node, tokens[i]);
    const set = rest ? (node.rest ??= new CompactSet()) : (node.values ??= new CompactSet());
    if (!set.has(value)) {
      set.add(value);
      this.#size++;
    }
    return this;
  }

  /**
   * Remove `value` from `pattern`, pruning nodes left empty.
   * @returns true if it was there.
   */
  remove(pattern: string, value: T): boolean {
    const path: Node<T>[] = [this.#root];
    const tokens = pattern.split('.');
    const rest = tokens[tokens.length - 1] === '>';
    const last = tokens.length - (rest ? 1 : 0);
    for (let i = 0; i < last; i++) {
      const next = step(path[i], tokens[i]);
      if (next === undefined) return false;
      path.push(next);
    }
    const node = path[last];
    const set = rest ? node.rest : node.values;
    if (set === undefined || !set.delete(value)) return false;
    this.#size--;
    if (set.size === 0) {
      if (rest) node.rest = undefined;
      else node.values = undefined;
    }
    // Walk back up, unlinking each node that no longer leads anywhere.
    for (let i = last; i > 0 && path[i].empty; i--) unlink(path[i - 1], tokens[i - 1]);
    return true;
  }

  /**
   * True if `pattern` has any value (or, given `value`, that one), as added: `a.*` is not `a.b`.
   */
  has(pattern: string, ...value: [T] | []): boolean {
    const set = this.#setOf(pattern);
    return set !== undefined && (value.length === 0 || set.has(value[0]));
  }

  /**
   * The values added under exactly `pattern`, in insertion order (a copy; `[]` if none).
   */
  get(pattern: string): T[] {
    const set = this.#setOf(pattern);
    return set ? [...set] : [];
  }

  /** Remove everything. */
  clear(): void {
    this.#root = new Node();
    this.#size = 0;
  }

  /**
   * Every pattern with its values (copies), depth first; not in insertion order.
   */
  *patterns(): IterableIterator<[pattern: string, values: T[]]> {
    yield* walk(this.#root, '');
  }

  /**
   * Every value whose pattern matches `name`, each once.
   * @param name - a valid message name (not validated here: this is the per-message path).
   * @param out - where to put the values: appended to an array (each value at most once per
   *   call), or added to a set. Reuse one to avoid allocating per call.
   * @returns `out`, or a new array.
   */
  match(name: string): T[];
  match(name: string, out: T[]): T[];
  match(name: string, out: Set<T>): Set<T>;
  match(name: string, out: T[] | Set<T> = []): T[] | Set<T> {
    this.#split(name);
    this.#out = out;
    this.#start = Array.isArray(out) ? out.length : 0;
    this.#sets = 0;
    this.#visit(this.#root, 0);
    this.#out = EMPTY;
    this.#seen = undefined;
    return out;
  }

  /**
   * Fill `#tokens` with the name's tokens, reusing the array. Scanning with `indexOf` measured
   * the same as a `charCodeAt` loop and about a third faster than `split('.')`, which also
   * allocates an array per call (bench/trie-lookup.mjs).
   */
  #split(name: string): void {
    const tokens = this.#tokens;
    let count = 0;
    let start = 0;
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', start)) {
      tokens[count++] = name.slice(start, dot);
      start = dot + 1;
    }
    tokens[count++] = name.slice(start);
    this.#count = count;
  }

  #visit(node: Node<T>, i: number): void {
    if (node.rest !== undefined && i < this.#count) this.#emit(node.rest);
    if (i === this.#count) {
      if (node.values !== undefined) this.#emit(node.values);
      return;
    }
    if (node.children !== undefined) {
      const next = node.children.get(this.#tokens[i]);
      if (next !== undefined) this.#visit(next, i + 1);
    }
    if (node.star !== undefined) this.#visit(node.star, i + 1);
  }

  #emit(values: CompactSet<T>): void {
    const out = this.#out;
    if (!Array.isArray(out)) {
      for (const v of values) out.add(v);
    } else if (this.#sets++ === 0 && out.length === this.#start) {
      // The first set of values cannot repeat itself: no checks.
      for (const v of values) out.push(v);
    } else if (this.#seen === undefined && out.length - this.#start + values.size <= SCAN_LIMIT) {
      for (const v of values) if (out.indexOf(v, this.#start) < 0) out.push(v);
    } else {
      // Many results: a Set keeps dedupe linear (allocated only in this rare case).
      const seen = (this.#seen ??= new Set(this.#start === 0 ? out : out.slice(this.#start)));
      for (const v of values) {
        if (!seen.has(v)) {
          seen.add(v);
          out.push(v);
        }
      }
    }
  }

  #setOf(pattern: string): CompactSet<T> | undefined {
    const tokens = pattern.split('.');
    const rest = tokens[tokens.length - 1] === '>';
    let node: Node<T> | undefined = this.#root;
    for (let i = 0; node && i < tokens.length - (rest ? 1 : 0); i++) node = step(node, tokens[i]);
    return rest ? node?.rest : node?.values;
  }
}

const EMPTY: never[] = [];

/** The child for `token`, created if missing. */
function child<T>(node: Node<T>, token: string): Node<T> {
  if (token === '*') return (node.star ??= new Node());
  const children = (node.children ??= new Map<string, Node<T>>());
  let next = children.get(token);
  if (next === undefined) children.set(token, (next = new Node()));
  return next;
}

function step<T>(node: Node<T>, token: string): Node<T> | undefined {
  return token === '*' ? node.star : node.children?.get(token);
}

function unlink<T>(parent: Node<T>, token: string): void {
  if (token === '*') parent.star = undefined;
  else if (parent.children?.delete(token) && parent.children.size === 0) {
    parent.children = undefined;
  }
}

function countNodes<T>(node: Node<T>): number {
  let n = 1;
  if (node.children) for (const next of node.children.values()) n += countNodes(next);
  if (node.star) n += countNodes(node.star);
  return n;
}

function* walk<T>(node: Node<T>, prefix: string): Generator<[string, T[]]> {
  if (node.values) yield [prefix, [...node.values]];
  if (node.rest) yield [prefix === '' ? '>' : `${prefix}.>`, [...node.rest]];
  const join = (token: string) => (prefix === '' ? token : `${prefix}.${token}`);
  if (node.children) for (const [token, next] of node.children) yield* walk(next, join(token));
  if (node.star) yield* walk(node.star, join('*'));
}
