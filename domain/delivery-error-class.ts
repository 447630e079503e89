/**
 * Why a delivery did not get through, as one word ops can group by (Hookdeck's "issues"): read
 * from the delivery's last attempt row, because the delivery document keeps the last status code
 * and the last error separately, so after a 503 and then a refused connection it still carries
 * the 503.
 */
export const deliveryErrorClasses = [
  'http_3xx',
  'http_4xx',
  'http_5xx',
  'http_other',
  'timeout',
  'connection',
  'ssrf_refused',
  'signing',
  'endpoint_inactive',
  'unknown',
] as const;
export type DeliveryErrorClass = (typeof deliveryErrorClasses)[number];

/** The fields of an attempt row (models/delivery-attempt.ts) that say what went wrong. */
export interface AttemptFault {
  outcome: string;
  status_code?: number | null;
  error?: string | null;
}

export function deliveryErrorClass(attempt: AttemptFault | undefined): DeliveryErrorClass {
  if (!attempt) return 'unknown';
  const code = attempt.status_code;
  if (typeof code === 'number') {
    if (code >= 300 && code <= 399) return 'http_3xx';
    if (code >= 400 && code <= 499) return 'http_4xx';
    if (code >= 500 && code <= 599) return 'http_5xx';
    return 'http_other';
  }
  if (attempt.outcome === 'inactive') return 'endpoint_inactive';
  const error = attempt.error ?? '';
  // The prefixes activities/http/send.ts and activities/deliveries.ts write.
  if (error.startsWith('EADDRNOTALLOWED')) return 'ssrf_refused';
  if (error.startsWith('timed out')) return 'timeout';
  if (error.startsWith('cannot sign')) return 'signing';
  return error ? 'connection' : 'unknown';
}
