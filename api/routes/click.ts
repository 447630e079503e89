import Router from '@koa/router';
import { renderOfferUrl } from '../../domain/click-url';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { ApiError, parseOr400 } from '../errors';
import { clickQuerySchema } from '../schemas/click';

/**
 * GET /click: record the click, then 302 to the advertiser's landing URL with the click id
 * filled in. It sits in a browser's path, so it does two indexed reads and one insert, no more.
 */
export function clickRoutes(deps: { models: Models; now: () => Date }): Router {
  const router = new Router();
  router.get('/click', async (ctx) => {
    const query = parseOr400(clickQuerySchema, ctx.query);
    const [offer, affiliate] = await Promise.all([
      deps.models.Offer.findById(query.offer_id, { url: 1, advertiser_id: 1, active: 1 }).lean(),
      deps.models.Affiliate.findById(query.aff_id, { active: 1 }).lean(),
    ]);
    if (!offer || !offer.active) throw new ApiError(404, 'unknown_offer', `no active offer with id "${query.offer_id}"`);
    if (!affiliate || !affiliate.active) throw new ApiError(404, 'unknown_affiliate', `no active affiliate with id "${query.aff_id}"`);

    const subs = { sub1: query.sub1, sub2: query.sub2, sub3: query.sub3, sub4: query.sub4, sub5: query.sub5 };
    const click = await deps.models.Click.create({
      _id: newId('clk'),
      offer_id: offer._id,
      affiliate_id: affiliate._id,
      advertiser_id: offer.advertiser_id,
      subs,
      ip: ctx.ip,
      user_agent: ctx.get('user-agent').slice(0, 500) || undefined,
      created_at: deps.now(),
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(renderOfferUrl(offer.url, { click_id: click._id, offer_id: offer._id, aff_id: affiliate._id, ...subs }));
  });
  return router;
}
