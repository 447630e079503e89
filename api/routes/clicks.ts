import { staffOnly } from '../access/authorize';
import type { Models } from '../../models';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { click, trafficbackClicksPage, trafficbackClicksQuery } from '../schemas/clicks';
import { clickToApi } from '../serialize';

/** One click, and the clicks turned away to trafficback (newest first): what ops look at when a partner asks where traffic went. */
export function clickReadRoutes(models: Models): Route[] {
  const base = { tag: 'Clicks', access: 'admin', realms: staffOnly } as const;
  return [
    route(
      {
        ...base,
        method: 'get',
        path: '/api/clicks/{id}',
        summary: 'Read a click, with its trafficback reason and chain',
        params: byId('click'),
        responses: { 200: json(click, 'Found') },
        errors: [400, 404],
      },
      async (ctx, { params: { id } }) => {
        const doc = await models.Click.findById(id).lean<Record<string, unknown>>();
        if (!doc) throw new ApiError(404, 'not_found', `no click with id "${id}"`);
        ctx.body = clickToApi(doc);
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/trafficback/clicks',
        summary: 'List trafficback clicks, newest first',
        description:
          'Clicks not sent to the offer they asked for, with the reason and the chain. Read through a sparse index on ' +
          '`trafficback.at`, so the clicks that went to their offers cost nothing here.',
        query: trafficbackClicksQuery,
        responses: { 200: json(trafficbackClicksPage, 'A page') },
        errors: [400],
      },
      async (ctx, { query }) => {
        const filter: Record<string, unknown> = { 'trafficback.at': { $exists: true } };
        if (query.reason) filter['trafficback.reason'] = query.reason;
        if (query.offer_id) filter.offer_id = query.offer_id;
        if (query.affiliate_id) filter.affiliate_id = query.affiliate_id;
        if (query.before) {
          const last = await models.Click.findById(query.before, { 'trafficback.at': 1 }).lean<{ trafficback?: { at?: Date } }>();
          if (!last?.trafficback?.at)
            throw new ApiError(400, 'invalid_request', `before: no trafficback click with id "${query.before}"`, [
              { path: 'before', code: 'unknown_reference', message: `no trafficback click with id "${query.before}"` },
            ]);
          // Clicks of the same millisecond are ordered by id (time-ordered too).
          filter.$or = [
            { 'trafficback.at': { $lt: last.trafficback.at } },
            { 'trafficback.at': last.trafficback.at, _id: { $lt: query.before } },
          ];
        }
        const docs = await models.Click.find(filter)
          .sort({ 'trafficback.at': -1, _id: -1 })
          .limit(query.limit + 1)
          .lean<Record<string, unknown>[]>();
        const page = docs.slice(0, query.limit);
        ctx.body = { data: page.map(clickToApi), next_before: docs.length > query.limit ? (page.at(-1)!._id as string) : null };
      },
    ),
  ];
}
