import type { Model } from 'mongoose';
import { generateSigningSecret } from '../activities/http/signature';
import { ApiError } from './errors';

/**
 * A new Standard Webhooks secret for a document that signs (a postback endpoint, a subscription).
 * The old one keeps signing beside it for the overlap, so the receiver can switch without a failed
 * delivery; a second rotation within the overlap drops the first old secret. Conditional on the
 * secret read, so of two concurrent rotations one wins and the other answers 409 rather than
 * losing the secret in between.
 */
export async function rotateSigningSecret(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>,
  doc: { _id?: unknown; signing_secret?: unknown },
  overlapHours: number,
  now: Date,
): Promise<{ signing_secret: string; rotation_overlap_until: string | null }> {
  const old = typeof doc.signing_secret === 'string' ? doc.signing_secret : undefined;
  const secret = generateSigningSecret();
  const overlapUntil = old && overlapHours > 0 ? new Date(now.getTime() + overlapHours * 3_600_000) : undefined;
  const changed = await model.updateOne(
    { _id: doc._id, signing_secret: old ?? { $exists: false } },
    overlapUntil
      ? { $set: { signing_secret: secret, previous_signing_secret: old, previous_signing_secret_expires_at: overlapUntil } }
      : { $set: { signing_secret: secret }, $unset: { previous_signing_secret: 1, previous_signing_secret_expires_at: 1 } },
  );
  if (changed.matchedCount === 0)
    throw new ApiError(409, 'concurrent_rotation', 'the secret changed while rotating it; nothing was changed by this call: rotate again');
  return { signing_secret: secret, rotation_overlap_until: overlapUntil?.toISOString() ?? null };
}

/** Until when a rotation's previous secret still signs, or null. */
export function rotationOverlapUntil(doc: Record<string, unknown>, now: Date): string | null {
  const until = doc.previous_signing_secret ? (doc.previous_signing_secret_expires_at as Date | undefined) : undefined;
  return until && until > now ? until.toISOString() : null;
}
