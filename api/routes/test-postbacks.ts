import type { RouterContext } from '@koa/router';
import type { Goal } from '../../domain/offer';
import { newTimeOrderedId } from '../../models/ids';
import { acceptConversion, type AcceptDeps, type ClickRef } from '../accept-conversion';
import { addAuditDetail } from '../audit';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { annotateRequest } from '../request-context';
import { route, type Route } from '../route';
import { takeTestPostback, TEST_POSTBACKS_PER_HOUR } from '../test-postback-quota';
import { advertiserTestPostbackRequest, affiliateTestPostbackRequest, testClickMinted, testPostbackFired } from '../schemas/test-postback';

type OfferDoc = { _id: string; advertiser_id: string; active: boolean; default_goal: string; goals: unknown[] };

const bounded = `At most ${TEST_POSTBACKS_PER_HOUR} per hour for one party (429 \`rate_limited\` with Retry-After). `;

/**
 * Test postbacks (README "Test postbacks"): a test click, and a conversion on it that runs the real
 * workflow (fraud rules, attribution, delivery to the affiliate's endpoints) flagged `test`, so it
 * takes no cap place, books no ledger line and counts in no report.
 */
export function testPostbackRoutes(deps: AcceptDeps): Route[] {
  const { models } = deps;

  const activeOffer = async (offerId: string): Promise<OfferDoc> => {
    const offer = await models.Offer.findById(offerId).lean<OfferDoc>();
    if (!offer || !offer.active)
      throw new ApiError(400, 'unknown_offer', `offer_id: no active offer with id "${offerId}"`, [
        { path: 'offer_id', code: 'unknown_offer', message: `no active offer with id "${offerId}"` },
      ]);
    return offer;
  };

  /** Stored like a GET /click's click, never counted in the report roll-ups (rollups/clicks.ts is not called). */
  const mintClick = async (ctx: RouterContext, offer: OfferDoc, affiliateId: string, subs: Record<string, string>) => {
    const click = {
      _id: newTimeOrderedId('clk'),
      offer_id: offer._id,
      affiliate_id: affiliateId,
      advertiser_id: offer.advertiser_id,
      subs,
      ip: ctx.ip,
      created_at: deps.now(),
      test: true,
    };
    await models.Click.collection.insertOne(click as never);
    return click satisfies ClickRef;
  };

  const fire = route(
    {
      method: 'post',
      path: '/api/affiliates/{id}/test-postbacks',
      tag: 'Test postbacks',
      access: 'admin',
      // Made for the affiliate to call for itself (its `{id}`), without the advertiser's token.
      realms: { ops: true, affiliate: { self: 'affiliate' } },
      capability: 'test_postbacks',
      summary: 'Fire a test conversion for an affiliate',
      description:
        'Makes a test click for the affiliate on the offer and posts a conversion for it the way an advertiser postback does: ' +
        "the real workflow, fraud rules, attribution and delivery to the affiliate's endpoints, flagged `test` everywhere. " +
        'It takes no cap place (and is never refused for a cap), books no ledger line and counts in no report; its postbacks carry ' +
        '`{is_test}` = 1 and the header `X-Postflow-Test: 1`. Needs no advertiser token. ' +
        bounded +
        '202: follow the conversion at GET /api/conversions/{conversion_id}/history.',
      params: byId('affiliate'),
      body: affiliateTestPostbackRequest,
      responses: { 202: json(testPostbackFired, 'The test conversion was accepted; its workflow start is durable') },
      errors: [400, 404, 409, 429],
      audit: { action: 'affiliate.test_postback', target: 'params' },
    },
    async (ctx, { params, body }) => {
      const affiliate = await models.Affiliate.findById(params.id).lean();
      if (!affiliate) throw new ApiError(404, 'not_found', `no affiliate with id "${params.id}"`);
      if (!affiliate.active) throw new ApiError(409, 'affiliate_inactive', 'this affiliate is deactivated: reactivate it to test');
      const offer = await activeOffer(body.offer_id);
      checkGoal(offer, body.goal, body.amount);
      await takeTestPostback(models, ctx, affiliate._id, deps.now());
      const { offer_id: _o, goal, amount, ...subs } = body;
      const click = await mintClick(ctx, offer, affiliate._id, definedOnly(subs));
      const accepted = await acceptConversion(deps, click, offer, { goal, amount, ip: ctx.ip });
      annotateRequest(ctx, { conversion_id: accepted.conversionId });
      addAuditDetail(ctx, { conversion_id: accepted.conversionId });
      ctx.status = 202;
      ctx.body = { conversion_id: accepted.conversionId, click_id: click._id, result: 'accepted', test: true };
    },
  );

  const mint = route(
    {
      method: 'post',
      path: '/api/advertisers/{id}/test-postbacks',
      tag: 'Test postbacks',
      access: 'admin',
      realms: { ops: true, advertiser: { self: 'advertiser' } },
      capability: 'test_postbacks',
      summary: "A test click for the advertiser's own test postback",
      description:
        "Makes a test click on one of the advertiser's offers and answers with the postback URL for it. The advertiser's server " +
        'then calls /postback with its own token, as it would for a sale: the token, IP allowlist and parameters are checked for ' +
        'real, and the conversion runs as a test one (no cap, no ledger, no report; its affiliate postbacks are marked). ' +
        bounded,
      params: byId('advertiser'),
      body: advertiserTestPostbackRequest,
      responses: { 201: json(testClickMinted, 'The test click') },
      errors: [400, 404, 409, 429],
      audit: { action: 'advertiser.test_postback', target: 'params' },
    },
    async (ctx, { params, body }) => {
      const advertiser = await models.Advertiser.findById(params.id).lean();
      if (!advertiser) throw new ApiError(404, 'not_found', `no advertiser with id "${params.id}"`);
      if (!advertiser.active) throw new ApiError(409, 'advertiser_inactive', 'this advertiser is deactivated: reactivate it to test');
      const offer = await activeOffer(body.offer_id);
      if (offer.advertiser_id !== advertiser._id)
        throw new ApiError(400, 'unknown_offer', `offer_id: offer "${offer._id}" is not this advertiser's`, [
          { path: 'offer_id', code: 'unknown_offer', message: "not one of this advertiser's offers" },
        ]);
      const affiliate = await models.Affiliate.findById(body.affiliate_id).lean();
      if (!affiliate || !affiliate.active)
        throw new ApiError(400, 'unknown_affiliate', `affiliate_id: no active affiliate with id "${body.affiliate_id}"`, [
          { path: 'affiliate_id', code: 'unknown_affiliate', message: `no active affiliate with id "${body.affiliate_id}"` },
        ]);
      await takeTestPostback(models, ctx, advertiser._id, deps.now());
      const click = await mintClick(ctx, offer, affiliate._id, {});
      ctx.status = 201;
      ctx.body = {
        click_id: click._id,
        test: true,
        postback_url: `/postback?click_id=${encodeURIComponent(click._id)}&txid={txid}&amount={amount}&token={token}`,
      };
    },
  );
  return [fire, mint];
}

/** Refused before anything is stored: a goal the offer lacks, or a percent payout with no sale amount to take it of. */
function checkGoal(offer: OfferDoc, goalKey: string | undefined, amount: string | undefined): void {
  const goals = offer.goals as Goal[];
  const goal = goals.find((g) => g.key === (goalKey ?? offer.default_goal));
  if (!goal)
    throw new ApiError(400, 'unknown_goal', `goal: offer has no goal "${goalKey ?? offer.default_goal}"`, [
      { path: 'goal', code: 'unknown_goal', message: `known goals: ${goals.map((g) => g.key).join(', ')}` },
    ]);
  if (amount === undefined && (goal.payout.type === 'percent' || goal.revenue.type === 'percent'))
    throw new ApiError(400, 'amount_required', 'amount: this goal pays a percent of the sale; give the sale amount', [
      { path: 'amount', code: 'amount_required', message: 'this goal pays a percent of the sale' },
    ]);
}

const definedOnly = (subs: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(subs).filter((e): e is [string, string] => e[1] !== undefined));
