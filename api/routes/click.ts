import { renderOfferUrl } from '../../domain/click-url';
import type { Models } from '../../models';
import { clickEvent, type ClickForEvents } from '../../events/click-events';
import type { RecordEvents } from '../../events/record';
import { countClicks, type CountedClick } from '../../rollups/clicks';
import { newTimeOrderedId } from '../../models/ids';
import type { ClickTargets } from '../click-targets';
import { batchedInserter, type InsertManyTarget } from '../click-writer';
import { ApiError } from '../errors';
import { route, type Route } from '../route';
import { clickQuerySchema } from '../schemas/click';

const subKeys = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

/**
 * GET /click: record the click, then 302 to the advertiser's landing URL with the click id
 * filled in. It sits in a browser's path: cached lookups and one insert, no more.
 */
export function clickRoutes(deps: {
  models: Models;
  targets: ClickTargets;
  now: () => Date;
  /** EVENTS_CLICK_CREATED: record each click as a click.created event too, before its redirect. */
  clickEvents?: { record: RecordEvents };
}): Route[] {
  // Concurrent clicks share one insertMany, and the batch's report roll-ups one bulk write after
  // it (rollups/clicks.ts); each click answers only once its own document and its count are written.
  // With click events on, the batch's events are one more bulk write, and a click whose event could
  // not be recorded is not redirected (it fails): no 302 goes out for a click the feed will never hold.
  const clickEvents = deps.clickEvents;
  const insertClick = batchedInserter(
    deps.models.Click.collection as unknown as InsertManyTarget<CountedClick & ClickForEvents>,
    undefined,
    undefined,
    clickEvents
      ? async (stored) => {
          // Side by side: the roll-up never rejects, so the batch fails only if its events were not written.
          await Promise.all([countClicks(deps.models, stored), clickEvents.record(stored.map(clickEvent))]);
        }
      : (stored) => countClicks(deps.models, stored),
  );
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
    const cached = deps.targets.get(query.offer_id, query.aff_id);
    const { offer, affiliate } = cached instanceof Promise ? await cached : cached;
    if (!offer || !offer.active) throw new ApiError(404, 'unknown_offer', `no active offer with id "${query.offer_id}"`);
    if (!affiliate || !affiliate.active) throw new ApiError(404, 'unknown_affiliate', `no active affiliate with id "${query.aff_id}"`);

    const subs: Partial<Record<(typeof subKeys)[number], string>> = {};
    for (const key of subKeys) if (query[key] !== undefined) subs[key] = query[key];
    const userAgent = ctx.get('user-agent');
    const click = {
      _id: newTimeOrderedId('clk'),
      offer_id: offer._id,
      affiliate_id: affiliate._id,
      advertiser_id: offer.advertiser_id,
      subs,
      ip: ctx.ip,
      ...(userAgent ? { user_agent: userAgent.slice(0, 500) } : {}),
      created_at: deps.now(),
    };
    // The driver, not Model.create: the document is built above from validated input, and
    // Mongoose's per-document casting and validation cost more than the insert itself.
    await insertClick(click); // and its report roll-up, which never fails the redirect
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(renderOfferUrl(offer.url, { click_id: click._id, offer_id: offer._id, aff_id: affiliate._id, ...subs }));
  });
  return [handler];
}
