import { capCounterId, capWindow } from '../../domain/cap-window';
import { fromMinor, toMinor } from '../../domain/money';
import type { Cap } from '../../domain/offer';
import type { Models } from '../../models';

/** The fullest caps shown; offers are configuration (few), but per-affiliate caps have a counter per affiliate. */
export const CAP_USE_LIMIT = 100;

export interface CapUse {
  offer_id: string;
  offer_name: string;
  cap_id: string;
  goal: string | null;
  affiliate_id: string | null;
  metric: 'conversions' | 'payout';
  period: Cap['period'];
  timezone: string;
  window_start: string | null;
  window_end: string | null;
  used: string;
  limit: string;
  currency: string | null;
  used_fraction: number;
}

/**
 * Every cap of an active offer in the window that contains `now`, cut as reserveCaps cuts it
 * (domain/cap-window.ts), with the places its counter holds: a cap nobody has reached yet has no
 * counter and shows 0 used.
 */
export async function capUse(models: Models, now: Date, only: Record<string, unknown> = {}): Promise<CapUse[]> {
  const offers = await models.Offer.find({ ...only, active: true, 'caps.0': { $exists: true } }, { name: 1, currency: 1, caps: 1 }).lean<
    { _id: string; name: string; currency: string; caps: Cap[] }[]
  >();
  const out: CapUse[] = [];
  for (const offer of offers) {
    for (const cap of offer.caps) {
      const window = capWindow(cap.period, cap.timezone, now);
      const payout = cap.metric === 'payout';
      const limitMinor = payout ? toMinor(cap.limit, offer.currency) : Number(cap.limit);
      const show = (n: number) => (payout ? fromMinor(n, offer.currency) : String(n));
      const entry = (reserved: number, affiliateId: string | null): CapUse => ({
        offer_id: offer._id,
        offer_name: offer.name,
        cap_id: cap.id,
        goal: cap.goal ?? null,
        affiliate_id: affiliateId,
        metric: cap.metric,
        period: cap.period,
        timezone: cap.timezone ?? 'UTC',
        window_start: window.start,
        window_end: window.end,
        used: show(reserved),
        limit: show(limitMinor),
        currency: payout ? offer.currency : null,
        used_fraction: limitMinor > 0 ? Math.min(1, reserved / limitMinor) : 1,
      });
      if (cap.per_affiliate) {
        const counters = await models.CapCounter.find(
          { offer_id: offer._id, cap_id: cap.id, window: window.key },
          { affiliate_id: 1, reserved: 1 },
        )
          .sort({ reserved: -1 })
          .limit(CAP_USE_LIMIT)
          .lean<{ affiliate_id?: string; reserved: number }[]>();
        for (const c of counters) out.push(entry(c.reserved, c.affiliate_id ?? null));
      } else {
        const id = capCounterId({ offerId: offer._id, capId: cap.id, windowKey: window.key });
        const counter = await models.CapCounter.findById(id, { reserved: 1 }).lean<{ reserved: number }>();
        out.push(entry(counter?.reserved ?? 0, null));
      }
    }
  }
  return out.sort((a, b) => b.used_fraction - a.used_fraction).slice(0, CAP_USE_LIMIT);
}
