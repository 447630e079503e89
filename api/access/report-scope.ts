import type { Models } from '../../models';

/** The party a report or overview is narrowed to: `affiliate_id` / `advertiser_id` query filters (forced for partners). */
export interface ReportParty {
  affiliate_id?: string;
  advertiser_id?: string;
}

/** Matches nothing: what an advertiser sees of affiliate deliveries. */
const none = { _id: { $in: [] as string[] } };

/**
 * The filters that narrow a report's rows to a party. Clicks, conversions, ledger entries and
 * roll-up buckets all carry `offer_id` and `affiliate_id`; an advertiser owns rows through its
 * offers (the roll-ups are keyed by offer, not advertiser). Undefined: no narrowing.
 */
export interface ReportRowFilters {
  /** Clicks, conversions, ledger entries, roll-up buckets. */
  rows?: Record<string, unknown>;
  /** Delivery attempts (they name their endpoint, not the affiliate). */
  attempts?: Record<string, unknown>;
  /** Deliveries. */
  deliveries?: Record<string, unknown>;
  /** Offers whose caps are shown; absent with `noCaps`. */
  offers?: Record<string, unknown>;
  /** Caps are the network's volumes across every affiliate: an affiliate sees none. */
  noCaps?: boolean;
}

export async function reportRowFilters(models: Models, party: ReportParty): Promise<ReportRowFilters> {
  if (!party.affiliate_id && !party.advertiser_id) return {};
  const rows: Record<string, unknown> = {};
  const out: ReportRowFilters = { rows };
  if (party.advertiser_id) {
    const offers = await models.Offer.find({ advertiser_id: party.advertiser_id }, { _id: 1 }).lean<{ _id: string }[]>();
    rows.offer_id = { $in: offers.map((o) => o._id) };
    out.offers = { advertiser_id: party.advertiser_id };
    // Deliveries go to affiliates: an advertiser has none to count.
    out.attempts = none;
    out.deliveries = none;
  }
  if (party.affiliate_id) {
    rows.affiliate_id = party.affiliate_id;
    const endpoints = await models.PostbackEndpoint.find({ affiliate_id: party.affiliate_id }, { _id: 1 }).lean<{ _id: string }[]>();
    out.attempts = party.advertiser_id ? none : { endpoint_id: { $in: endpoints.map((e) => e._id) } };
    out.deliveries = party.advertiser_id ? none : { affiliate_id: party.affiliate_id };
    out.noCaps = true;
  }
  return out;
}
