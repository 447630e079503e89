/**
 * Form state mirrors the API's request shape (strings where the API takes numbers), so one dotted
 * path ("goals.0.payout.amount") names a value in the state, its input's id and the API's
 * `issues[].path` for it.
 */
type Tree = Record<string, unknown> | unknown[];

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null;
const isObjectList = (v: unknown[]) => v.every((item) => isTree(item) && !Array.isArray(item));

export function getAt(state: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isTree(node) ? (node as Record<string, unknown>)[key] : undefined), state);
}

/** A copy of `state` with the value at `path` replaced; the branches along the path are copied, the rest shared. */
export function setAt<T>(state: T, path: string, value: unknown): T {
  const [key, ...rest] = path.split('.') as [string, ...string[]];
  const node = state as unknown as Tree;
  const next = rest.length === 0 ? value : setAt((node as Record<string, unknown>)[key], rest.join('.'), value);
  if (Array.isArray(node)) return node.map((item, i) => (String(i) === key ? next : item)) as T;
  return { ...(node as Record<string, unknown>), [key]: next } as T;
}

/**
 * Every path in the state an error can be shown at: each field, and each object or list of
 * objects (a fieldset). A list of plain values (checkboxes) is one field: its items are not slots.
 */
export function slotsOf(state: unknown, prefix = ''): Set<string> {
  const slots = new Set<string>();
  if (!isTree(state) || (Array.isArray(state) && !isObjectList(state))) return slots;
  for (const [key, value] of Object.entries(state)) {
    const path = prefix ? `${prefix}.${key}` : key;
    slots.add(path);
    for (const inner of slotsOf(value, path)) slots.add(inner);
  }
  return slots;
}

export interface PlacedError {
  /** The slot it is shown at, or undefined when no field on screen holds it (shown in the summary only). */
  slot?: string;
  message: string;
}

/**
 * Puts each of the API's field errors at the deepest slot on screen that holds its path
 * ("ip_allowlist.2" at the allowlist field, as "entry 3: …"), so none is dropped.
 */
export function placeErrors(errors: Record<string, string>, slots: ReadonlySet<string>): PlacedError[] {
  return Object.entries(errors).map(([path, message]) => {
    const parts = path === '' ? [] : path.split('.');
    for (let k = parts.length; k > 0; k--) {
      const slot = parts.slice(0, k).join('.');
      if (!slots.has(slot)) continue;
      const rest = parts.slice(k).map((p) => (/^\d+$/.test(p) ? `entry ${Number(p) + 1}` : p));
      return { slot, message: rest.length > 0 ? `${rest.join(' ')}: ${message}` : message };
    }
    return { message: path ? `${path}: ${message}` : message };
  });
}

/** The id of a slot's input (or fieldset) in a form whose ids start with `form`. */
export const idFor = (form: string, path: string) => `${form}-${path.replace(/\./g, '-')}`;
