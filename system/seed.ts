/**
 * What the tests, benchmarks and the fault suite create before they send load: parties, offers,
 * clicks and endpoints, through the real admin API as an operator would (never by writing
 * documents), so a seed goes through the same validation as production data.
 */

/** A POST to the admin API that must create something (201); resolves to the created resource. */
export type AdminPost = (path: string, body: unknown) => Promise<Created>;
export type Created = Record<string, unknown> & { id: string };

/** The admin API over HTTP; anything but 201 is an error quoting the answer. */
export function adminOverHttp(baseUrl: string, adminKey: string): AdminPost {
  return async (path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST ${path}: expected 201, got ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as Created;
  };
}

/** A click through GET /click, as a browser makes it; resolves to its id from the redirect (`cid`). */
export async function clickOverHttp(baseUrl: string, offerId: string, affiliateId: string, query: Record<string, string> = {}) {
  const params = new URLSearchParams({ offer_id: offerId, aff_id: affiliateId, ...query });
  const res = await fetch(`${baseUrl}/click?${params}`, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`/click: expected 302, got ${res.status}: ${(await res.text()).slice(0, 500)}`);
  const clickId = new URL(res.headers.get('location')!).searchParams.get('cid');
  if (!clickId) throw new Error(`/click: no click id in ${res.headers.get('location')}`);
  return clickId;
}

export interface OfferSeed {
  advertiser: Created & { postback_token: string };
  affiliate: Created;
  offer: Created;
}

/**
 * An advertiser (its postback token is shown once, here), an affiliate and an offer of that
 * advertiser. `offer` is the offer's body without `advertiser_id`; names default to the callers'.
 */
export async function seedOffer(
  post: AdminPost,
  opts: { advertiser: Record<string, unknown>; affiliate: Record<string, unknown>; offer: Record<string, unknown> },
): Promise<OfferSeed> {
  const advertiser = (await post('/api/advertisers', opts.advertiser)) as OfferSeed['advertiser'];
  const affiliate = await post('/api/affiliates', opts.affiliate);
  const offer = await post('/api/offers', { advertiser_id: advertiser.id, ...opts.offer });
  return { advertiser, affiliate, offer };
}
