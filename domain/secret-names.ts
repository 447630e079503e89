/**
 * The names secrets travel under, in one place: log redaction (observability/redact.ts), the URL
 * masking of attempt rows (activities/http/mask-url.ts), the timeline's workflow payloads
 * (api/timeline/types.ts) and response serialization (api/serialize.ts, which refuses to
 * allow-list one). Four private lists had drifted: `?secure=` (a postback token alias) was
 * masked in logs but not in attempt rows, and the timeline missed cookies and credentials.
 */

/** How a masked secret reads. */
export const CENSOR = '***';

/** Field names whose values are secrets: log objects, workflow payloads, stored documents. */
const secretField = /token|secret|passw|authorization|cookie|api[-_]?key|admin[-_]?key|signature|credential/i;

/**
 * Query parameter names whose values are secrets: every secret field name, plus the short names
 * trackers put in URLs (key=, sig=, auth=, hash=, hmac=, pass=) and the postback token's alias
 * `secure` (api/schemas/postback.ts). Too broad for field names: a log's `dedupe_key` is no secret.
 */
const secretParam = new RegExp(`${secretField.source}|key|sig|pass|auth|hash|hmac|secure`, 'i');

export function isSecretField(name: string): boolean {
  return secretField.test(name);
}

export function isSecretParam(name: string): boolean {
  return secretParam.test(name);
}
