/**
 * What an affiliate endpoint's HTTP status means for a postback delivery:
 * - `success`: 2xx, delivered.
 * - `gone`: 410, the endpoint says it no longer exists; stop, deactivate it, dead-letter.
 * - `permanent`: a retry would get the same answer (most 4xx); dead-letter now.
 * - `retry`: transient; try again on the schedule.
 */
export type DeliveryOutcome = 'success' | 'retry' | 'permanent' | 'gone';

// 4xx that describe a passing condition, not a bad request: timeout, conflict (e.g. a lock on the
// receiver's side), too early (TLS early data) and rate limiting.
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 409, 425, 429]);

export function classifyResponse(status: number): DeliveryOutcome {
  if (!Number.isInteger(status)) return 'retry';
  if (status >= 200 && status <= 299) return 'success';
  if (status === 410) return 'gone';
  if (status >= 400 && status <= 499) return RETRYABLE_4XX.has(status) ? 'retry' : 'permanent';
  // 3xx: Standard Webhooks counts a redirect as a failure. We never follow redirects (the
  // target would escape the address guard and the signature was made for the original URL),
  // and a retry would be redirected again, so a redirecting endpoint is misconfigured: the
  // affiliate has to fix the URL. Permanent, not retried for three days.
  if (status >= 300 && status <= 399) return 'permanent';
  // 5xx, and anything outside the known classes (1xx as a final status, garbage): transient.
  return 'retry';
}

/** Statuses whose `Retry-After` header we follow (RFC 9110 defines it for 503 and 3xx; 429 per RFC 6585). */
export function honoursRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}
