import type { RollupKey } from '../domain/rollup';

/**
 * The conversion fields its roll-up deltas are keyed and dated by: one projection for every step
 * that counts a conversion (screening, transitions, the rebuild), so they cannot drift apart.
 */
export const conversionRollupFields = { received_at: 1, offer_id: 1, affiliate_id: 1, goal: 1, currency: 1 } as const;

export interface ConversionRollupFields {
  received_at: Date;
  offer_id: string;
  affiliate_id: string;
  goal: string;
  currency?: string | null;
}

/** A conversion's bucket key; one stored without a currency takes its offer's in the report. */
export function conversionRollupKey(c: ConversionRollupFields): RollupKey {
  return { offer_id: c.offer_id, affiliate_id: c.affiliate_id, goal: c.goal, currency: c.currency ?? null };
}
