import type { StateNode } from './node.js';

/**
 * Live, plain-looking objects over the engine's nodes, so `$._.value` and `$._.deps` have the
 * reference's shape (`Object.keys`, `in`, reads, JSON) without the hot path maintaining maps.
 */
interface ViewSource<T> {
  keys(): string[];
  has(key: string): boolean;
  get(key: string): T;
  set?(key: string, value: unknown): boolean;
  remove?(key: string): boolean;
}

// Node's console shows a Proxy's target, not its traps: give the target a custom inspector.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function liveView<T>(source: ViewSource<T>): Record<string, T> {
  const describe = (value: unknown): PropertyDescriptor => ({
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  const snapshot = () => Object.fromEntries(source.keys().map((k) => [k, source.get(k)]));
  const target = {} as Record<string, T>;
  Object.defineProperty(target, INSPECT, { value: snapshot, configurable: true });
  const own = (key: string | symbol): key is string => typeof key === 'string' && source.has(key);
  return new Proxy(target, {
    // Non-state names (hasOwnProperty, toString, …) come from the plain-object prototype.
    get: (t, key): unknown => (own(key) ? source.get(key) : Reflect.get(t, key)),
    has: (t, key) => own(key) || key in t,
    ownKeys: () => source.keys(),
    getOwnPropertyDescriptor: (_t, key) => (own(key) ? describe(source.get(key)) : undefined),
    set: (_t, key, value) => typeof key === 'string' && (source.set?.(key, value) ?? false),
    deleteProperty: (_t, key) => typeof key === 'string' && (source.remove?.(key) ?? false),
    defineProperty: () => false,
  });
}

/** `$._.value`: statics always, computeds while they hold a value. Writable like a plain map. */
export function valueView(nodes: Map<string, StateNode>): Record<string, unknown> {
  return liveView<unknown>({
    keys: () => [...nodes.values()].filter((n) => n.has).map((n) => n.name),
    has: (key) => nodes.get(key)?.has === true,
    get: (key) => nodes.get(key)?.value,
    set(key, value) {
      const node = nodes.get(key);
      if (!node) return false;
      ((node.value = value), (node.has = true));
      return true;
    },
    remove(key) {
      const node = nodes.get(key);
      if (node) ((node.has = false), (node.value = undefined));
      return true;
    },
  });
}

/** `$._.deps`: `{ computed: { dep: true } }` for every computed that has started evaluating. */
export function depsView(nodes: Map<string, StateNode>): Record<string, Record<string, true>> {
  const inner = new WeakMap<StateNode, Record<string, true>>();
  const depsOf = (node: StateNode) => {
    let view = inner.get(node);
    if (!view) {
      view = liveView<true>({
        keys: () => node.depList().map((d) => d.name),
        has: (key) => node.depList().some((d) => d.name === key),
        get: () => true,
      });
      inner.set(node, view);
    }
    return view;
  };
  return liveView({
    keys: () => [...nodes.values()].filter((n) => n.started).map((n) => n.name),
    has: (key) => nodes.get(key)?.started === true,
    get: (key) => depsOf(nodes.get(key)!),
  });
}
