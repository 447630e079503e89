import type { Client } from '@temporalio/client';
import type { Models } from '../../models';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { redeliver } from '../redeliver';
import { route, type Route } from '../route';
import { page } from '../schemas/common';
import {
  bulkRedeliveryStarted,
  bulkRedeliverySchema,
  delivery,
  deliveryListQuery,
  deliveryWithAttempts,
  redeliveryStarted,
} from '../schemas/delivery';
import { deliveryAttemptToApi, deliveryToApi } from '../serialize';

const BULK_LIMIT = 10_000;

const timeRange = (from?: string, to?: string) =>
  from || to ? { created_at: { ...(from ? { $gte: new Date(from) } : {}), ...(to ? { $lt: new Date(to) } : {}) } } : {};

export function deliveryRoutes(deps: { models: Models; temporal: Client; taskQueue: string }): Route[] {
  const { models } = deps;
  const base = { tag: 'Deliveries', access: 'admin' } as const;

  const list = route(
    {
      ...base,
      method: 'get',
      path: '/api/deliveries',
      summary: 'List deliveries, newest first',
      query: deliveryListQuery,
      responses: { 200: json(page(delivery, 'DeliveryPage'), 'One page') },
      errors: [400],
    },
    async (ctx, { query: q }) => {
      const filter: Record<string, unknown> = { ...timeRange(q.from, q.to) };
      for (const field of ['affiliate_id', 'endpoint_id', 'conversion_id', 'status'] as const) if (q[field]) filter[field] = q[field];
      const docs = await models.Delivery.find(filter)
        .sort({ created_at: -1, _id: 1 })
        .skip(q.offset)
        .limit(q.limit + 1)
        .lean<Record<string, unknown>[]>();
      ctx.body = {
        data: docs.slice(0, q.limit).map(deliveryToApi),
        next_offset: docs.length > q.limit ? q.offset + q.limit : null,
      };
    },
  );

  const read = route(
    {
      ...base,
      method: 'get',
      path: '/api/deliveries/{id}',
      summary: 'Read a delivery, with every attempt',
      params: byId('delivery'),
      responses: { 200: json(deliveryWithAttempts, 'Found') },
      errors: [400, 404],
    },
    async (ctx, { params: { id } }) => {
      const doc = await models.Delivery.findById(id).lean<Record<string, unknown>>();
      if (!doc) throw new ApiError(404, 'not_found', `no delivery with id "${id}"`);
      const attempts = await models.DeliveryAttempt.find({ delivery_id: id })
        .sort({ run: 1, attempt: 1 })
        .lean<Record<string, unknown>[]>();
      ctx.body = { ...deliveryToApi(doc), attempts: attempts.map(deliveryAttemptToApi) };
    },
  );

  const redeliverOne = route(
    {
      ...base,
      method: 'post',
      path: '/api/deliveries/{id}/redeliver',
      summary: 'Deliver again (same event id, new run)',
      params: byId('delivery'),
      responses: { 202: json(redeliveryStarted, 'Started') },
      errors: [400, 404, 409],
    },
    async (ctx, { params: { id } }) => {
      const { run } = await redeliver(deps, id);
      ctx.status = 202;
      ctx.body = { id, run, status: 'pending' };
    },
  );

  const redeliverAll = route(
    {
      ...base,
      method: 'post',
      path: '/api/deliveries/redeliver',
      summary: 'Deliver again everything that matches',
      description:
        'Needs at least one filter, or `all: true` for every delivery of the status; `status` defaults to dead_lettered. ' +
        'Redelivers at most the first 10 000 matches (`truncated`).',
      body: bulkRedeliverySchema,
      responses: { 202: json(bulkRedeliveryStarted, 'Started') },
    },
    async (ctx, { body: q }) => {
      const filter: Record<string, unknown> = { status: q.status ?? 'dead_lettered', ...timeRange(q.from, q.to) };
      if (q.affiliate_id) filter.affiliate_id = q.affiliate_id;
      if (q.endpoint_id) filter.endpoint_id = q.endpoint_id;
      const ids = (await models.Delivery.find(filter, { _id: 1 }).limit(BULK_LIMIT).lean()).map((d) => d._id);
      let started = 0;
      for (const id of ids) {
        try {
          await redeliver(deps, id);
          started += 1;
        } catch (err) {
          if (!(err instanceof ApiError)) throw err; // one that just started or ended is skipped
        }
      }
      ctx.status = 202;
      ctx.body = { matched: ids.length, started, truncated: ids.length === BULK_LIMIT };
    },
  );
  return [list, read, redeliverOne, redeliverAll];
}
