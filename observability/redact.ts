/**
 * Secret scrubbing for log lines. Two layers: field names (a `token` or `authorization` field is
 * replaced whole) and content (a secret inside a string: a URL's `?token=…`, a Bearer header,
 * a `whsec_…` signing secret, a `pt_…` postback token), because secrets also travel inside URLs,
 * error messages and SDK metadata that no fixed list of paths can foresee.
 */

import { CENSOR, isSecretField, isSecretParam } from '../domain/secret-names';

/**
 * name=value pairs in URLs, form bodies and free text; the name is kept so the line stays useful.
 * Names may be percent-encoded (api%5Fkey), as URLSearchParams would decode them.
 */
const queryPair = /([?&;\s]|^)([\w.[\]%-]+)=([^&#\s"']*)/g;
const contentPatterns: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, `$1 ${CENSOR}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, `whsec_${CENSOR}`],
  [/\bpt_[\w-]{16,}/g, `pt_${CENSOR}`], // advertiser postback tokens (api/routes/admin-parties.ts)
  [/\bpf_admin_[\w-]+/g, `pf_admin_${CENSOR}`], // development admin keys (scripts/start.ts)
  [/(\/\/)[^/?#@\s]+@/g, `$1${CENSOR}@`], // user:password@ or a bare key@ in URLs (mask-url.ts masks both)
];

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** The text with every secret-looking value replaced by ***. */
export function scrubText(text: string): string {
  let out = text.replace(queryPair, (match, lead: string, name: string) =>
    isSecretParam(decodedName(name)) ? `${lead}${name}=${CENSOR}` : match,
  );
  for (const [pattern, replacement] of contentPatterns) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of a log object with secret fields censored and every string scrubbed. Depth-limited
 * and cycle-safe: a log call must never throw or hang on what it is given.
 */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubError(value);
  if (value instanceof Date) return value;
  if (seen.has(value) || depth > 6) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretField(key) && (typeof v === 'string' || Array.isArray(v)) ? CENSOR : scrubValue(v, depth + 1, seen);
  }
  return out;
}

/** An Error as a plain object (type, message, stack, code, cause) with secrets scrubbed. */
export function scrubError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: scrubText(err.message) };
  if (err.stack) out.stack = scrubText(err.stack);
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.cause !== undefined) out.cause = err.cause instanceof Error ? scrubError(err.cause) : scrubValue(err.cause, 1);
  return out;
}

/** A URL (absolute or path + query) with secret query values masked, for access lines. */
export function maskRequestUrl(url: string): string {
  return scrubText(url);
}
