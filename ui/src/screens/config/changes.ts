/** One value a save changed, by its API path. */
export interface Change {
  path: string;
  before: string;
  after: string;
}

const shown = (v: unknown): string =>
  v === undefined || v === null || v === '' ? '(none)' : Array.isArray(v) ? v.map(shown).join(', ') || '(none)' : String(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isObjectList = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length > 0 && v.every(isObject);

/**
 * What differs between the entity as read before a save and as the API answered after it: each
 * changed value, with lists of objects (goals, caps) compared entry by entry. Values are shown as
 * the API gives them (decimal strings stay strings).
 */
export function changes(before: unknown, after: unknown, path = '', ignore = ['created_at', 'updated_at']): Change[] {
  // An object on one side and nothing on the other (an offer's trafficback target set or unset) is compared value by value.
  const absent = (v: unknown) => v === undefined || v === null;
  if ((isObject(before) || absent(before)) && (isObject(after) || absent(after)) && (isObject(before) || isObject(after))) {
    const [b, a] = [(before ?? {}) as Record<string, unknown>, (after ?? {}) as Record<string, unknown>];
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !(path === '' && ignore.includes(k)));
    return keys.flatMap((k) => changes(b[k], a[k], path ? `${path}.${k}` : k, ignore));
  }
  if ((isObjectList(before) || isObjectList(after)) && Array.isArray(before ?? []) && Array.isArray(after ?? [])) {
    const b = (before ?? []) as unknown[];
    const a = (after ?? []) as unknown[];
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
      const at = `${path}.${i}`;
      if (b[i] === undefined) return [{ path: at, before: '(none)', after: 'added' }];
      if (a[i] === undefined) return [{ path: at, before: 'present', after: 'removed' }];
      return changes(b[i], a[i], at, ignore);
    }).flat();
  }
  const [was, now] = [shown(before), shown(after)];
  return was === now ? [] : [{ path, before: was, after: now }];
}
