import Router from '@koa/router';
import { z } from 'zod';
import type { Models } from '../../models';
import { sha256 } from '../auth';
import { ApiError, parseOr400 } from '../errors';
import type { RateLimit } from '../rate-limit';
import { idParam } from '../schemas/common';
import { normalisePostbackParams } from '../schemas/postback';

const receiptQuery = z
  .object({
    conversion_id: idParam.optional(),
    txid: z.string().trim().min(1).max(200).optional(),
    token: z.string().min(1).max(200).optional(),
  })
  .refine((q) => q.conversion_id || q.txid, { message: 'give conversion_id or txid', path: ['conversion_id'] });

/**
 * The advertiser's receipt: what became of a postback they sent, by conversion id or txid,
 * with their own postback token. Closes the "200 OK, rejected later" gap. Another
 * advertiser's conversion answers exactly like a missing one.
 */
export function postbackStatusRoutes(models: Models, advertiserLimit?: RateLimit): Router {
  const router = new Router();
  router.get('/postback/status', async (ctx) => {
    const token = ctx.get('x-postback-token');
    const q = parseOr400(receiptQuery, normalisePostbackParams({ ...(token ? { token } : {}), ...ctx.query }));
    if (!q.token) throw new ApiError(401, 'missing_token', 'send your postback token as token=… or the X-Postback-Token header');
    // The digest is the lookup key: a token that matches no advertiser learns nothing more.
    const advertiser = await models.Advertiser.findOne({ postback_token_hash: sha256(q.token) }, { _id: 1 }).lean();
    if (!advertiser) throw new ApiError(401, 'invalid_token', 'this token belongs to no advertiser');
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
  return router;
}
