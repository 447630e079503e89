import { z } from 'zod';
import { fieldPathPattern, valueAt } from './filter';

/**
 * Field selection (Shopify's `includeFields`): which parts of an event's `data` a subscription is
 * sent. Dotted paths keep their nesting (`subs.sub1` sends `{ subs: { sub1 } }`); a path the event
 * lacks is left out; no selection sends all of `data`. The envelope (id, type, occurred_at,
 * schema_version, sequence) is always sent: a receiver dedupes and orders by it.
 */

export const fieldsSchema = z
  .array(z.string().regex(fieldPathPattern, 'must be a snake_case field path like "payout" or "subs.sub1"'))
  .min(1)
  .max(50)
  .meta({
    description: 'the `data` fields to send (dotted paths keep their nesting); absent: all of them',
    example: ['offer_id', 'status'],
  });

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy of `data` with only the selected paths (a pure function; `data` is not changed). */
export function selectFields(data: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields) return data;
  const out: Record<string, unknown> = {};
  for (const path of fields) {
    const from = valueAt(data, path);
    if (from === undefined) continue;
    const segments = path.split('.');
    let into = out;
    for (const segment of segments.slice(0, -1)) {
      if (!isPlainObject(into[segment])) into[segment] = {};
      into = into[segment] as Record<string, unknown>;
    }
    // A copy: a later, deeper path ("subs" then "subs.sub1") must not write into the event's own data.
    into[segments[segments.length - 1]!] = structuredClone(from);
  }
  return out;
}
