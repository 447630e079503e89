import type { Models } from '../../models';
import { newId } from '../../models/ids';
import type { OfferSetup } from './admin';
import type { RequestSpec } from './load';

/**
 * Inserts `count` clicks directly (the click route is measured by click-redirect.ts; here they are
 * only setup). Lean inserts in batches skip Mongoose's per-document casting and validation.
 */
export async function insertClicks(models: Models, setup: OfferSetup, count: number): Promise<string[]> {
  const ids: string[] = [];
  // A minute old: a realistic gap, and clear of a min_seconds_to_convert rule should one be added.
  const createdAt = new Date(Date.now() - 60_000);
  const batch = 2_000;
  for (let start = 0; start < count; start += batch) {
    const docs = Array.from({ length: Math.min(batch, count - start) }, (_, i) => ({
      _id: newId('clk'),
      offer_id: setup.offerId,
      affiliate_id: setup.affiliateId,
      advertiser_id: setup.advertiserId,
      subs: { sub1: `s${start + i}` },
      ip: '198.51.100.7',
      user_agent: 'Mozilla/5.0 (postflow-bench)',
      created_at: createdAt,
    }));
    await models.Click.insertMany(docs, { lean: true, ordered: false });
    for (const d of docs) ids.push(d._id);
  }
  return ids;
}

/**
 * POST /postback as advertisers' servers send it: a JSON body, the token in its header, one
 * distinct click per request (so every 200 is a new conversion).
 */
export function postbackSpec(token: string, clickIds: string[], extra: Partial<RequestSpec> = {}): RequestSpec {
  return {
    method: 'POST',
    path: '/postback',
    headers: { 'content-type': 'application/json', 'x-postback-token': token, 'x-forwarded-for': '203.0.113.9' },
    body: '{"click_id":"{value}","txid":"tx-{seq}","amount":"12.50","currency":"USD"}',
    values: clickIds,
    tallyJsonField: 'result',
    ...extra,
  };
}
