import type { Models } from '../../models';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { affiliateOffers } from '../schemas/affiliate-offers';
import { clickQuerySchema } from '../schemas/click';
import type { AffiliateOverride, Goal } from '../../domain/offer';

/** The sub-id parameters GET /click keeps, read from its own schema so the two cannot drift. */
const subParams = Object.keys(clickQuerySchema.shape).filter((k) => /^sub\d$/.test(k));

/**
 * The offers an affiliate may promote, as it should see them: its own payout per goal (its
 * override where the offer has one), never the advertiser's revenue, caps or fraud settings,
 * and its tracking link ready to paste.
 */
export function affiliateOfferRoutes(models: Models): Route[] {
  return [
    route(
      {
        tag: 'Affiliates',
        access: 'admin',
        realms: { ops: true, affiliate: { self: 'affiliate' } },
        method: 'get',
        path: '/api/affiliates/{id}/offers',
        summary: "The active offers with this affiliate's payout and tracking link",
        description:
          "Each goal's payout is the affiliate's own (an `affiliate_overrides` entry for it wins over the goal's). " +
          '`tracking_url` is GET /click for the offer and the affiliate; `sub_params` are the sub ids it also takes.',
        params: byId('affiliate'),
        responses: { 200: json(affiliateOffers, "The affiliate's offers, by name") },
        errors: [400, 404],
      },
      async (ctx, { params: { id } }) => {
        if (!(await models.Affiliate.exists({ _id: id }))) throw new ApiError(404, 'not_found', `no affiliate with id "${id}"`);
        const offers = await models.Offer.find({ active: true }).sort({ name: 1, _id: 1 }).lean<Record<string, unknown>[]>();
        const origin = `${ctx.protocol}://${ctx.host}`;
        ctx.body = {
          data: offers.map((o) => {
            const overrides = (o.affiliate_overrides as AffiliateOverride[] | undefined) ?? [];
            const query = new URLSearchParams({ offer_id: String(o._id), aff_id: id });
            return {
              id: o._id,
              name: o.name,
              currency: o.currency,
              attribution_window_hours: o.attribution_window_hours,
              default_goal: o.default_goal,
              goals: (o.goals as Goal[]).map((g) => ({
                key: g.key,
                ...(g.name ? { name: g.name } : {}),
                payout: overrides.find((ov) => ov.affiliate_id === id && ov.goal === g.key)?.payout ?? g.payout,
                default_status: g.default_status,
                ...(g.hold_hours !== undefined ? { hold_hours: g.hold_hours } : {}),
              })),
              tracking_url: `${origin}/click?${query.toString()}`,
              sub_params: subParams,
            };
          }),
        };
      },
    ),
  ];
}
