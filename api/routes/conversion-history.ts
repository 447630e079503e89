import type { RouteRealms } from '../access/authorize';
import { partnerTimeline } from '../access/partner-timeline';
import { isPartner } from '../access/principal';
import { markReasonDetailApplied, reasonDetailOf } from '../access/reason-detail';
import { principalOf } from '../auth';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { conversionHistory } from '../schemas/history';
import { loadTimeline, type TimelineDeps } from '../timeline/load';

const ownConversion = { owned: 'Conversion', label: 'conversion' } as const;
const realms: RouteRealms = { ops: true, affiliate: ownConversion, advertiser: ownConversion };

/** "Where is my conversion?": its whole story, from the workflow histories (api/timeline/). */
export function conversionHistoryRoutes(deps: TimelineDeps): Route[] {
  return [
    route(
      {
        method: 'get',
        path: '/api/conversions/{id}/history',
        tag: 'Conversions',
        access: 'admin',
        realms,
        summary: "A conversion's timeline, from its workflow histories",
        description:
          "A partner's timeline keeps only what its realm may read: its own side of the money and the ledger, reason codes " +
          "at the offer's detail level (affiliates), and the affiliate's own deliveries (affiliates only).",
        params: byId('conversion'),
        responses: { 200: json(conversionHistory, 'Every step, ordered by time') },
        errors: [400, 404],
      },
      async (ctx, { params: { id } }) => {
        const timeline = await loadTimeline(deps, id);
        const principal = principalOf(ctx);
        if (!isPartner(principal)) {
          ctx.body = timeline;
          return;
        }
        const conversion = await deps.models.Conversion.findById(id, { offer_id: 1 }).lean<{ offer_id?: string }>();
        const levelOf = await reasonDetailOf(deps.models, conversion?.offer_id ? [conversion.offer_id] : []);
        markReasonDetailApplied(ctx);
        ctx.body = partnerTimeline(timeline, principal.realm, levelOf(conversion?.offer_id ?? ''));
      },
    ),
  ];
}
