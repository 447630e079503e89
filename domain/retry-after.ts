import { DateTime } from 'luxon';

// Apart from domain/retry-schedule.ts because workflow code imports that one: luxon in the workflow
// bundle is evaluated again for every workflow the worker starts, and only the activity parses headers.

/** Longest Retry-After we honour; an endpoint asking for more is retried on our schedule's terms. */
export const maxRetryAfterMs = 86_400_000;

const DELTA_SECONDS = /^\d+$/;

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds from `now`: delta-seconds, or an HTTP-date in
 * any of the three formats recipients must accept (luxon's fromHTTP reads them all as GMT, where
 * Date.parse would read asctime as local time). Never negative, at most 24 h; undefined when
 * absent or unparseable.
 */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  let ms: number;
  if (DELTA_SECONDS.test(value)) {
    ms = Number(value) * 1_000; // may be Infinity for absurd lengths; the cap below handles it
  } else {
    const date = DateTime.fromHTTP(value, { zone: 'utc' });
    if (!date.isValid) return undefined;
    ms = date.toMillis() - now.getTime();
  }
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}
