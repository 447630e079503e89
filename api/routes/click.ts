import { renderOfferUrl } from '../../domain/click-url';
import type { Models } from '../../models';
import { countClick } from '../../rollups/clicks';
import { newTimeOrderedId } from '../../models/ids';
import type { ClickTargets } from '../click-targets';
import { batchedInserter, type InsertManyTarget } from '../click-writer';
import { ApiError } from '../errors';
import { route, type Route } from '../route';
import { clickQuerySchema } from '../schemas/click';

/**
 * GET /click: record the click, then 302 to the advertiser's landing URL with the click id
 * filled in. It sits in a browser's path: cached lookups and one insert, no more.
 */
export function clickRoutes(deps: { models: Models; targets: ClickTargets; now: () => Date }): Route[] {
  // Concurrent clicks share one insertMany; each answers only once its own document is written.
  const insertClick = batchedInserter(deps.models.Click.collection as unknown as InsertManyTarget<Record<string, unknown>>);
  const spec = {
    method: 'get',
    path: '/click',
    tag: 'Clicks',
    access: 'public',
    summary: 'Record a click and redirect to the offer',
    description: '302 to the offer URL with `{click_id}`, `{offer_id}`, `{aff_id}`, `{sub1}`…`{sub5}` filled in, URL-encoded.',
    query: clickQuerySchema,
    responses: {
      302: {
        description: 'Redirect to the landing page',
        headers: { Location: { description: 'the offer URL with the click id', schema: { type: 'string' } } },
      },
    },
    errors: [400, 404, 429],
  } as const;
  const handler = route(spec, async (ctx, { query }) => {
    const { offer, affiliate } = await deps.targets.get(query.offer_id, query.aff_id);
    if (!offer || !offer.active) throw new ApiError(404, 'unknown_offer', `no active offer with id "${query.offer_id}"`);
    if (!affiliate || !affiliate.active) throw new ApiError(404, 'unknown_affiliate', `no active affiliate with id "${query.aff_id}"`);

    const subs = Object.fromEntries(
      Object.entries({
        sub1: query.sub1,
        sub2: query.sub2,
        sub3: query.sub3,
        sub4: query.sub4,
        sub5: query.sub5,
      }).filter(([, v]) => v !== undefined),
    );
    const click = {
      _id: newTimeOrderedId('clk'),
      offer_id: offer._id,
      affiliate_id: affiliate._id,
      advertiser_id: offer.advertiser_id,
      subs,
      ip: ctx.ip,
      ...(ctx.get('user-agent') ? { user_agent: ctx.get('user-agent').slice(0, 500) } : {}),
      created_at: deps.now(),
    };
    // The driver, not Model.create: the document is built above from validated input, and
    // Mongoose's per-document casting and validation cost more than the insert itself.
    await insertClick(click);
    await countClick(deps.models, click); // report roll-ups (rollups/clicks.ts); never fails the redirect
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(renderOfferUrl(offer.url, { click_id: click._id, offer_id: offer._id, aff_id: affiliate._id, ...subs }));
  });
  return [handler];
}
