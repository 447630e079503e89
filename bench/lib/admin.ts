/** Creates what clicks and postbacks need through the real admin API, over HTTP, as an operator would. */
export interface OfferSetup {
  advertiserId: string;
  /** The advertiser's postback token, shown once at creation. */
  token: string;
  affiliateId: string;
  offerId: string;
}

export async function createOfferSetup(baseUrl: string, adminKey: string): Promise<OfferSetup> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`POST ${path}: expected 201, got ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const advertiser = await post('/api/advertisers', { name: 'Bench Advertiser' });
  const affiliate = await post('/api/affiliates', { name: 'Bench Affiliate' });
  // No caps and no fraud limits: the benchmark measures the pipeline's fixed cost, not rejections.
  const offer = await post('/api/offers', {
    advertiser_id: advertiser.id,
    name: 'Bench Offer',
    url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
    currency: 'USD',
    default_goal: 'sale',
    goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }],
  });
  return { advertiserId: String(advertiser.id), token: String(advertiser.postback_token), affiliateId: String(affiliate.id), offerId: String(offer.id) };
}

/** The affiliate's postback endpoint (POST /api/affiliates/:id/postbacks): a GET to `url` on every approved conversion. */
export async function createPostbackEndpoint(baseUrl: string, adminKey: string, affiliateId: string, url: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/affiliates/${encodeURIComponent(affiliateId)}/postbacks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, method: 'GET', events: ['approved'] }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`POST /api/affiliates/${affiliateId}/postbacks: expected 201, got ${res.status}: ${JSON.stringify(json)}`);
  return String(json.id);
}
