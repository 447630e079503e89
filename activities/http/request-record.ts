import { CENSOR, isSecretField } from '../../domain/secret-names';
import { scrubValue } from '../../observability/redact';

/** As much of a request body as an attempt row keeps (the answer's excerpt is as long). */
export const BODY_EXCERPT_BYTES = 1024;

/**
 * The request headers as an attempt row shows them to the affiliate and ops: every header sent,
 * with a secret-named one masked. Signatures keep their version and count (`v1,*** v1,***`), so a
 * receiver can see that a rotation's overlap sent two.
 */
export function headersToRecord(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (name === 'webhook-signature') return [name, value.replace(/(v\d+[a-z]?,)\S+/g, `$1${CENSOR}`)];
      return [name, isSecretField(name) ? CENSOR : value];
    }),
  );
}

/**
 * The body as sent, up to 1 KiB. A JSON body's secret-named fields are masked (an affiliate may
 * put its own API key in a template); masking re-serializes it, so only then does it differ from
 * the bytes sent.
 */
export function bodyToRecord(body: string): string {
  let shown = body;
  try {
    const parsed: unknown = JSON.parse(body);
    const masked = scrubValue(parsed);
    if (JSON.stringify(masked) !== JSON.stringify(parsed)) shown = JSON.stringify(masked);
  } catch {
    // not JSON: kept as sent
  }
  const bytes = Buffer.from(shown, 'utf8');
  return bytes.length <= BODY_EXCERPT_BYTES ? shown : bytes.subarray(0, BODY_EXCERPT_BYTES).toString('utf8');
}
