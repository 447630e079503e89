import { createHash } from 'node:crypto';

/**
 * The stable public id of a conversion: a digest of its dedupe key, so every repeat of a
 * postback computes the same id without a lookup, and the id reveals nothing of the key.
 * Kept apart from domain/conversion.ts because workflows may not import node:crypto.
 */
export function conversionIdFor(dedupeKey: string): string {
  return `cv_${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}`;
}
