import type { RouteRealms } from '../access/authorize';
import type { Client } from '@temporalio/client';
import { fromMinor } from '../../domain/money';
import type { Models } from '../../models';
import { principalOf } from '../auth';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { balance, conversionStatusChanged, conversionWithDeliveries, statusChangeBody } from '../schemas/conversion';
import { conversionDeliveryToApi, conversionDocToApi } from '../serialize';
import { requestStatusChange } from '../status-change';
import { statusChangeActor, type StatusChangeTarget } from '../status-change-access';

/** Projection document → API JSON with money as decimal strings in the conversion's currency. */
export function conversionToApi(doc: Record<string, unknown>): Record<string, unknown> {
  const { received_at, payout_minor, revenue_minor, ...rest } = conversionDocToApi(doc);
  const currency = doc.currency as string | undefined;
  const money = (minor: unknown) => (typeof minor === 'number' && currency ? fromMinor(minor, currency) : null);
  return { ...rest, payout: money(payout_minor), revenue: money(revenue_minor), created_at: received_at };
}

export function conversionRoutes(deps: { models: Models; temporal: Client; taskQueue: string }): Route[] {
  const { models } = deps;
  const base = { tag: 'Conversions', access: 'admin' } as const;
  const owned = { owned: 'Conversion', label: 'conversion' } as const;

  const find = async (id: string) => {
    const doc = await models.Conversion.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no conversion with id "${id}"`);
    return doc;
  };

  const read = route(
    {
      ...base,
      method: 'get',
      path: '/api/conversions/{id}',
      realms: { ops: true, affiliate: owned, advertiser: owned },
      summary: 'Read a conversion, with its deliveries',
      params: byId('conversion'),
      responses: { 200: json(conversionWithDeliveries, 'Found') },
      errors: [400, 404],
    },
    async (ctx, { params: { id } }) => {
      // Deliveries go to the affiliate's endpoints: the affiliate's business, not the advertiser's.
      const deliveriesShown = principalOf(ctx).realm !== 'advertiser';
      const [doc, deliveries] = await Promise.all([
        find(id),
        deliveriesShown ? models.Delivery.find({ conversion_id: id }).sort({ created_at: 1 }).lean<Record<string, unknown>[]>() : [],
      ]);
      ctx.body = { ...conversionToApi(doc), deliveries: deliveries.map(conversionDeliveryToApi) };
    },
  );

  const setStatus = route(
    {
      ...base,
      method: 'post',
      path: '/api/conversions/{id}/status',
      // The advertiser reviews its own pending conversions, where the offer lets it.
      realms: { ops: true, advertiser: owned } satisfies RouteRealms,
      capability: 'review_conversions',
      summary: "Change a conversion's status (ops, or its advertiser where the offer allows)",
      description:
        'Sent to the workflow as an Update, whose validator refuses an illegal transition (409) before anything is written. ' +
        'An advertiser may only approve or decline its own pending conversion, and only where the offer sets `advertiser_can_review` ' +
        '(403 `review_not_allowed`, `status_not_allowed`; 409 `not_pending`).',
      params: byId('conversion'),
      body: statusChangeBody,
      responses: { 200: json(conversionStatusChanged, 'Applied, or already so (`changed: false`)') },
      errors: [403, 404, 409],
      audit: { action: 'conversion.status_change', target: 'params', detail: ({ body }) => ({ status: body.status, reason: body.reason }) },
    },
    async (ctx, { params: { id }, body }) => {
      const doc = await find(id);
      const actor = await statusChangeActor(ctx.state.principal, { ...doc, id } as StatusChangeTarget, body.status, async (offerId) =>
        Boolean((await models.Offer.findById(offerId, { advertiser_can_review: 1 }).lean())?.advertiser_can_review),
      );
      const result = await requestStatusChange(deps.temporal, deps.taskQueue, id, {
        status: body.status,
        reason: body.reason,
        actor,
      });
      ctx.body = { changed: result.changed, ...conversionToApi(await find(id)) };
    },
  );

  // The balance is what the ledger says, summed per currency: never a stored running total.
  const affiliateBalance = route(
    {
      ...base,
      method: 'get',
      path: '/api/affiliates/{id}/balance',
      realms: { ops: true, affiliate: { self: 'affiliate' } },
      summary: 'What the affiliate is owed per currency, and what is pending or held',
      params: byId('affiliate'),
      responses: { 200: json(balance, 'Balances') },
      errors: [400, 404],
    },
    async (ctx, { params: { id: affiliateId } }) => {
      if (!(await models.Affiliate.exists({ _id: affiliateId })))
        throw new ApiError(404, 'not_found', `no affiliate with id "${affiliateId}"`);
      const [rows, waiting] = await Promise.all([
        models.LedgerEntry.aggregate<{ _id: string; total: number; entries: number }>([
          { $match: { affiliate_id: affiliateId, account: 'affiliate_payable' } },
          { $group: { _id: '$currency', total: { $sum: '$amount_minor' }, entries: { $sum: 1 } } },
        ]),
        // Pending and held conversions book nothing until approved (domain/status.ts): their payout is
        // read from the conversions themselves. Test conversions are never money (invariant 10).
        models.Conversion.aggregate<{ _id: { currency: string; status: 'pending' | 'held' }; total: number; count: number }>([
          { $match: { affiliate_id: affiliateId, status: { $in: ['pending', 'held'] }, test: { $ne: true } } },
          { $group: { _id: { currency: '$currency', status: '$status' }, total: { $sum: '$payout_minor' }, count: { $sum: 1 } } },
        ]),
      ]);
      const currencies = [...new Set([...rows.map((r) => r._id), ...waiting.map((r) => r._id.currency)])].filter(Boolean).sort();
      const of = (currency: string, status: 'pending' | 'held') =>
        waiting.find((r) => r._id.currency === currency && r._id.status === status);
      ctx.body = {
        affiliate_id: affiliateId,
        balances: rows
          .sort((a, b) => a._id.localeCompare(b._id))
          .map((r) => ({ currency: r._id, payable: fromMinor(r.total, r._id), entries: r.entries })),
        split: currencies.map((currency) => ({
          currency,
          approved: fromMinor(rows.find((r) => r._id === currency)?.total ?? 0, currency),
          pending: fromMinor(of(currency, 'pending')?.total ?? 0, currency),
          held: fromMinor(of(currency, 'held')?.total ?? 0, currency),
          pending_conversions: of(currency, 'pending')?.count ?? 0,
          held_conversions: of(currency, 'held')?.count ?? 0,
        })),
      };
    },
  );
  return [read, setStatus, affiliateBalance];
}
