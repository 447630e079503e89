/** Creates what clicks and postbacks need through the real admin API, over HTTP, as an operator would. */
export interface OfferSetup {
  advertiserId: string;
  /** The advertiser's postback token, shown once at creation. */
  token: string;
  affiliateId: string;
  offerId: string;
}

/** POST to the admin API; anything but 201 is an error quoting the answer. */
async function adminPost(baseUrl: string, adminKey: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${path}: expected 201, got ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function createAffiliate(baseUrl: string, adminKey: string, name: string): Promise<string> {
  return String((await adminPost(baseUrl, adminKey, '/api/affiliates', { name })).id);
}

export async function createOfferSetup(baseUrl: string, adminKey: string): Promise<OfferSetup> {
  const post = (path: string, body: unknown) => adminPost(baseUrl, adminKey, path, body);
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
  return {
    advertiserId: String(advertiser.id),
    token: String(advertiser.postback_token),
    affiliateId: String(affiliate.id),
    offerId: String(offer.id),
  };
}

/** The affiliate's postback endpoint (POST /api/affiliates/:id/postbacks): a GET to `url` on every approved conversion. */
export async function createPostbackEndpoint(baseUrl: string, adminKey: string, affiliateId: string, url: string): Promise<string> {
  return String(
    (
      await adminPost(baseUrl, adminKey, `/api/affiliates/${encodeURIComponent(affiliateId)}/postbacks`, {
        url,
        method: 'GET',
        events: ['approved'],
      })
    ).id,
  );
}
