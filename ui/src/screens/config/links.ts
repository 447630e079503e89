/**
 * The links a partner pastes into its own system. Placeholders in braces are for the partner's
 * system to fill in; only the ids (and, once, the token) are ours.
 */
export function trackingLink(origin: string, offerId: string, affiliateId: string, subs: number): string {
  const params = [`offer_id=${encodeURIComponent(offerId)}`, `aff_id=${encodeURIComponent(affiliateId)}`];
  for (let i = 1; i <= subs; i++) params.push(`sub${i}={sub${i}}`);
  return `${origin}/click?${params.join('&')}`;
}

/** The advertiser's conversion call; without the token (it is shown only at creation) it keeps a {token} placeholder. */
export function postbackUrlTemplate(origin: string, token?: string): string {
  return `${origin}/postback?click_id={click_id}&txid={txid}&amount={amount}&token=${token ? encodeURIComponent(token) : '{token}'}`;
}
