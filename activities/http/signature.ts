import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' secret prefix; the rest is the base64 of the key. */
const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a secret. `whsec_<base64>` is decoded as Standard Webhooks' libraries do
 * (`new Webhook(secret)`); malformed base64 is refused rather than decoded leniently as Node's
 * Buffer would, which would sign with a key the receiver's library never derives.
 * A secret without the prefix is used as its UTF-8 bytes: an affiliate's tracker may hand out a
 * plain shared string. For ASCII that equals `new Webhook(secret, { format: 'raw' })`; the
 * library's raw format takes one byte per UTF-16 unit, so non-ASCII raw secrets differ there.
 */
function signingKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    if (secret === '') throw new Error('webhook signing secret is empty');
    return Buffer.from(secret, 'utf8');
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded === '' || !BASE64.test(encoded)) throw new Error('webhook signing secret is not "whsec_" followed by base64');
  return Buffer.from(encoded, 'base64');
}

/**
 * The `webhook-signature` header value: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).
 * `body` must be exactly the string sent (as UTF-8); `msgId` stays the same across retries while
 * `timestamp` (Unix seconds) is fresh per attempt.
 */
export function signStandardWebhook(args: { secret: string; msgId: string; timestamp: number; body: string }): string {
  const { secret, msgId, timestamp, body } = args;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error(`webhook timestamp must be whole Unix seconds, got ${timestamp}`);
  const mac = createHmac('sha256', signingKey(secret)).update(`${msgId}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** A new secret: `whsec_` + base64 of 32 random bytes (the spec allows 24–64). */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}
