import type { Models } from '../../models';
import { acceptedMatch, advertiserByToken, expiredTokenMessage } from '../advertiser-token';
import { ApiError, parseOr400 } from '../errors';
import { noteIngressAdvertiser } from '../ingress-log/recorder';
import { json } from '../openapi/operation';
import type { RateLimit } from '../rate-limit';
import { route, type Route } from '../route';
import { normalisePostbackParams, receipt, receiptFields, receiptQuery } from '../schemas/postback';

/**
 * The advertiser's receipt: what became of a postback they sent, by conversion id or txid,
 * with their own postback token. Closes the "200 OK, rejected later" gap. Another
 * advertiser's conversion answers exactly like a missing one.
 */
export function postbackStatusRoutes(models: Models, now: () => Date, advertiserLimit?: RateLimit): Route[] {
  const spec = {
    method: 'get',
    path: '/postback/status',
    tag: 'Advertiser postbacks',
    access: 'postback',
    summary: "The advertiser's receipt for its own conversions",
    description: "What became of a postback, by conversion id or txid. Another advertiser's conversion answers 404, like a missing one.",
    // The token is documented as the route's credential, not as a parameter.
    query: receiptFields.omit({ token: true }),
    mergedInput: true,
    responses: { 200: json(receipt, 'Up to 20 conversions, newest first') },
    errors: [400, 404, 429],
  } as const;
  const handler = route(spec, async (ctx) => {
    const token = ctx.get('x-postback-token');
    const q = parseOr400(receiptQuery, normalisePostbackParams({ ...(token ? { token } : {}), ...ctx.query }));
    if (!q.token) throw new ApiError(401, 'missing_token', 'send your postback token as token=… or the X-Postback-Token header');
    // The digest is the lookup key: a token that matches no advertiser learns nothing more.
    const found = await advertiserByToken(models, q.token, now());
    if (found?.match === 'expired') throw new ApiError(401, 'invalid_token', expiredTokenMessage(found.advertiser));
    if (!found || !acceptedMatch(found.match)) throw new ApiError(401, 'invalid_token', 'this token belongs to no advertiser');
    const advertiser = found.advertiser;
    noteIngressAdvertiser(ctx, advertiser._id, true);
    // The same budget as its postbacks: polling for receipts competes with sending them.
    await advertiserLimit?.(ctx, advertiser._id);
    const filter = q.conversion_id
      ? { _id: q.conversion_id, advertiser_id: advertiser._id }
      : { txid: q.txid, advertiser_id: advertiser._id };
    const docs = await models.Conversion.find(filter).sort({ received_at: -1 }).limit(20).lean();
    if (docs.length === 0) throw new ApiError(404, 'not_found', 'no conversion of yours matches');
    ctx.body = {
      conversions: docs.map((d) => ({
        conversion_id: d._id,
        status: d.status,
        reason_codes: d.reason_codes,
        click_id: d.click_id,
        offer_id: d.offer_id,
        goal: d.goal,
        txid: d.txid ?? null,
        received_at: d.received_at.toISOString(),
        updated_at: d.updated_at.toISOString(),
      })),
    };
  });
  return [handler];
}
