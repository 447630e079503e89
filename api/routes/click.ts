import type { RouterContext } from '@koa/router';
import { renderOfferUrl, renderTrafficbackUrl } from '../../domain/click-url';
import {
  resolveClick,
  staticReason,
  type ClickOffer,
  type Hop,
  type Resolution,
  type Subs,
  type TurnedAway,
} from '../../domain/trafficback';
import type { Models } from '../../models';
import { clickEvent, type ClickForEvents } from '../../events/click-events';
import type { RecordEvents } from '../../events/record';
import { countClicks, type CountedClick } from '../../rollups/clicks';
import { newTimeOrderedId } from '../../models/ids';
import { clickCapState, type ClickCapState } from '../click-caps';
import type { ClickTargetOffer, ClickTargets } from '../click-targets';
import { batchedInserter, type InsertManyTarget } from '../click-writer';
import { duplicateClick } from '../duplicate-clicks';
import { route, type Route } from '../route';
import { clickQuerySchema } from '../schemas/click';
import { errorBody } from '../schemas/error';
import { json, text } from '../openapi/operation';

const subKeys = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

/** A click as stored (the driver's insertMany takes it as built). */
interface StoredClick extends CountedClick {
  _id: string;
  advertiser_id?: string;
  subs: Subs;
  ip: string;
  user_agent?: string;
  trafficback?: Record<string, unknown> & { reason: string };
  parent_click_id?: string;
  trafficback_hops?: number;
}

/**
 * GET /click: record the click, then 302 to the advertiser's landing URL with the click id
 * filled in. It sits in a browser's path: cached lookups and one insert, no more.
 *
 * A click the offer cannot take (domain/trafficback.ts) is recorded too, with its reason, and
 * follows the fallback chain: to another offer through a child click of the same affiliate, to a
 * URL, to a blank page or to a 404. Offers without caps or duplicate rules that can take the
 * click pay for none of it.
 */
export function clickRoutes(deps: {
  models: Models;
  targets: ClickTargets;
  now: () => Date;
  /** Click-time cap state; one per API process (api/click-caps.ts). */
  caps?: ClickCapState;
  /** EVENTS_CLICK_CREATED: record each click as a click.created event too, before its redirect. */
  clickEvents?: { record: RecordEvents };
}): Route[] {
  const caps = deps.caps ?? clickCapState(deps.models);
  // Concurrent clicks share one insertMany, and the batch's report roll-ups one bulk write after
  // it (rollups/clicks.ts); each click answers only once its own document and its count are written.
  // With click events on, the batch's events are one more bulk write, and a click whose event could
  // not be recorded is not redirected (it fails): no 302 goes out for a click the feed will never hold.
  // A trafficback click is no click.created: it reached no offer (its child click, if any, did).
  const clickEvents = deps.clickEvents;
  const insertClick = batchedInserter(
    deps.models.Click.collection as unknown as InsertManyTarget<StoredClick>,
    undefined,
    undefined,
    clickEvents
      ? async (stored) => {
          const reached = stored.filter((c) => !c.trafficback) as unknown as ClickForEvents[];
          // Side by side: the roll-up never rejects, so the batch fails only if its events were not written.
          await Promise.all([countClicks(deps.models, stored), clickEvents.record(reached.map(clickEvent))]);
        }
      : (stored) => countClicks(deps.models, stored),
  );

  /** The reasons that need a read: a full cap, then a duplicate click. */
  const dynamicReason = (offer: ClickTargetOffer, affiliateId: string, ip: string, at: Date) => {
    const full = caps.fullCap(offer, affiliateId, at);
    const thenDuplicate = (capped: TurnedAway | null) =>
      capped ??
      (offer.duplicate_click_seconds
        ? duplicateClick(deps.models, { offerId: offer._id, affiliateId, ip, seconds: offer.duplicate_click_seconds, at })
        : null);
    return full instanceof Promise ? full.then(thenDuplicate) : thenDuplicate(full);
  };

  const spec = {
    method: 'get',
    path: '/click',
    tag: 'Clicks',
    access: 'public',
    summary: 'Record a click and redirect to the offer (or its trafficback)',
    description:
      '302 to the offer URL with `{click_id}`, `{offer_id}`, `{aff_id}`, `{sub1}`…`{sub5}` filled in, URL-encoded. ' +
      'A click the offer cannot take (unknown, paused or expired offer; unknown or inactive affiliate; a blocked sub id; ' +
      'a full cap; a duplicate click where configured) is recorded with that reason and follows the trafficback chain: ' +
      '302 to a fallback offer (through a child click credited to the same affiliate) or URL, 200 with a blank page, ' +
      'or 404 with the reason as `error`. ' +
      'The `X-Trafficback-Reason` header names the reason on every trafficback answer.',
    query: clickQuerySchema,
    responses: {
      302: {
        description: 'Redirect to the landing page, or to the trafficback target',
        headers: { Location: { description: 'the offer URL with the click id', schema: { type: 'string' } } },
      },
      200: text('text/html', 'Trafficback to a blank page'),
      404: json(errorBody, 'Trafficback to a 404: `error` is the reason (offer_unknown, offer_paused, cap_reached…)'),
    },
    errors: [400, 429],
  } as const;
  const handler = route(spec, async (ctx, { query }) => {
    const subs: Subs = {};
    for (const key of subKeys) if (query[key] !== undefined) subs[key] = query[key];
    const now = deps.now();
    const userAgent = ctx.get('user-agent');
    const base = { subs, ip: ctx.ip, ...(userAgent ? { user_agent: userAgent.slice(0, 500) } : {}), created_at: now };
    ctx.set('Cache-Control', 'no-store');

    const offerRead = deps.targets.offer(query.offer_id);
    const affiliateRead = deps.targets.affiliate(query.aff_id);
    // Awaited together: awaiting one alone would leave the other's rejection (MongoDB down) unhandled, which ends the process.
    const [offer, affiliate] =
      offerRead instanceof Promise || affiliateRead instanceof Promise
        ? await Promise.all([offerRead, affiliateRead])
        : [offerRead, affiliateRead];

    // The common case: a live offer with nothing to check at click time.
    if (offer && !offer.duplicate_click_seconds && offer.caps.length === 0 && !staticReason(offer, affiliate, subs, now)) {
      return sendToOffer(
        ctx,
        { _id: newTimeOrderedId('clk'), offer_id: offer._id, affiliate_id: affiliate!._id, advertiser_id: offer.advertiser_id, ...base },
        offer,
      );
    }
    const resolution = await resolveClick(query.offer_id, affiliate, query.aff_id, subs, now, {
      offer: deps.targets.offer,
      dynamicReason: (o) => dynamicReason(o as ClickTargetOffer, query.aff_id, ctx.ip, now),
      globalTarget: deps.targets.globalTarget,
    });
    const first = resolution.hops[0];
    if (!first) {
      const target = offer!; // no hop: the requested offer took the click
      return sendToOffer(
        ctx,
        { _id: newTimeOrderedId('clk'), offer_id: target._id, affiliate_id: affiliate!._id, advertiser_id: target.advertiser_id, ...base },
        target,
      );
    }

    const original: StoredClick = {
      _id: newTimeOrderedId('clk'),
      offer_id: query.offer_id,
      affiliate_id: query.aff_id,
      ...(offer ? { advertiser_id: offer.advertiser_id } : {}),
      ...base,
      trafficback: { ...trafficbackRecord(resolution), at: now },
    };
    ctx.set('X-Trafficback-Reason', first.reason);
    const end = resolution.end;
    if (end.kind === 'offer') {
      // The affiliate keeps the credit: the fallback offer gets a click of its own, linked to this one.
      const child: StoredClick = {
        _id: newTimeOrderedId('clk'),
        offer_id: end.offer._id,
        affiliate_id: affiliate!._id,
        advertiser_id: end.offer.advertiser_id,
        ...base,
        parent_click_id: original._id,
        trafficback_hops: resolution.hops.length,
      };
      original.trafficback!.child_click_id = child._id;
      await Promise.all([insertClick(original), insertClick(child)]);
      ctx.redirect(renderOfferUrl(end.offer.url, { click_id: child._id, offer_id: end.offer._id, aff_id: child.affiliate_id, ...subs }));
      return;
    }
    // A URL target is stored as the visitor was sent to it, macros filled.
    const url =
      end.kind === 'url'
        ? renderTrafficbackUrl(end.url, {
            click_id: original._id,
            offer_id: query.offer_id,
            aff_id: query.aff_id,
            reason: first.reason,
            ...subs,
          })
        : undefined;
    if (url) original.trafficback!.url = url;
    await insertClick(original);
    if (url) {
      ctx.redirect(url);
    } else if (end.kind === 'blank') {
      ctx.status = 200;
      ctx.type = 'text/html';
      ctx.body = '<!doctype html><title></title>';
    } else {
      ctx.status = 404;
      ctx.body = { error: first.reason, message: `${explain(first, query)}; the click ${original._id} is recorded with this reason` };
    }
  });

  async function sendToOffer(ctx: RouterContext, click: StoredClick, offer: ClickOffer): Promise<void> {
    // The driver, not Model.create: the document is built above from validated input, and
    // Mongoose's per-document casting and validation cost more than the insert itself.
    await insertClick(click); // and its report roll-up, which never fails the redirect
    ctx.redirect(renderOfferUrl(offer.url, { click_id: click._id, offer_id: offer._id, aff_id: click.affiliate_id, ...click.subs }));
  }

  return [handler];
}

/** What the click keeps of its resolution: the first reason (the one reports count), the chain, the end. */
function trafficbackRecord(resolution: Resolution): Record<string, unknown> & { reason: string } {
  const [first] = resolution.hops as [Hop, ...Hop[]];
  const end = resolution.end;
  return {
    reason: first.reason,
    ...(first.cap_id ? { cap_id: first.cap_id } : {}),
    ...(first.sub ? { sub: first.sub } : {}),
    chain: resolution.hops,
    to: end.kind,
    ...(end.kind === 'offer' ? { to_offer_id: end.offer._id } : {}),
    ...(resolution.stopped ? { stopped: resolution.stopped } : {}),
  };
}

function explain(hop: Hop, query: { offer_id: string; aff_id: string }): string {
  switch (hop.reason) {
    case 'offer_unknown':
      return `no offer with id "${hop.offer_id}"`;
    case 'offer_paused':
      return `offer "${hop.offer_id}" is paused`;
    case 'offer_expired':
      return `offer "${hop.offer_id}" has expired`;
    case 'affiliate_unknown':
      return `no affiliate with id "${query.aff_id}"`;
    case 'affiliate_inactive':
      return `affiliate "${query.aff_id}" is deactivated`;
    case 'blocked_sub':
      return `${hop.sub ?? 'a sub id'} is blocked on offer "${hop.offer_id}"`;
    case 'cap_reached':
      return `the cap ${hop.cap_id ?? ''} of offer "${hop.offer_id}" is full`;
    case 'duplicate_click':
      return `a click from this IP for offer "${hop.offer_id}" and this affiliate came moments ago`;
  }
}
