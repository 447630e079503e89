/** Mongo documents → API JSON: `_id` becomes `id`, dates become ISO strings, secrets are dropped. */
const hidden = new Set(['_id', 'postback_token_hash', 'signing_secret', 'dedupe_key', 'single_key', 'status_seq']);

export function toApi(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: doc._id };
  for (const [key, value] of Object.entries(doc)) {
    if (hidden.has(key)) continue;
    out[key] = normalise(value);
  }
  return out;
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}
