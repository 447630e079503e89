import { adminOverHttp, seedOffer } from '../../system/seed';

/** Creates what clicks and postbacks need through the real admin API, over HTTP, as an operator would. */
export interface OfferSetup {
  advertiserId: string;
  /** The advertiser's postback token, shown once at creation. */
  token: string;
  affiliateId: string;
  offerId: string;
}

export async function createAffiliate(baseUrl: string, adminKey: string, name: string): Promise<string> {
  return (await adminOverHttp(baseUrl, adminKey)('/api/affiliates', { name })).id;
}

export async function createOfferSetup(baseUrl: string, adminKey: string): Promise<OfferSetup> {
  const { advertiser, affiliate, offer } = await seedOffer(adminOverHttp(baseUrl, adminKey), {
    advertiser: { name: 'Bench Advertiser' },
    affiliate: { name: 'Bench Affiliate' },
    // No caps and no fraud limits: the benchmark measures the pipeline's fixed cost, not rejections.
    offer: {
      name: 'Bench Offer',
      url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
      currency: 'USD',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }],
    },
  });
  return { advertiserId: advertiser.id, token: advertiser.postback_token, affiliateId: affiliate.id, offerId: offer.id };
}

/** The affiliate's postback endpoint (POST /api/affiliates/:id/postbacks): a GET to `url` on every approved conversion. */
export async function createPostbackEndpoint(baseUrl: string, adminKey: string, affiliateId: string, url: string): Promise<string> {
  const post = adminOverHttp(baseUrl, adminKey);
  return (await post(`/api/affiliates/${encodeURIComponent(affiliateId)}/postbacks`, { url, method: 'GET', events: ['approved'] })).id;
}
