import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Models } from '../../models';
import { ApiError, parseOr400 } from '../errors';
import { redeliver } from '../redeliver';
import { idParam } from '../schemas/common';
import { bulkRedeliverySchema, deliveryListQuery } from '../schemas/postback-endpoint';
import { deliveryAttemptToApi, deliveryToApi } from '../serialize';

const BULK_LIMIT = 10_000;

const timeRange = (from?: string, to?: string) =>
  from || to ? { created_at: { ...(from ? { $gte: new Date(from) } : {}), ...(to ? { $lt: new Date(to) } : {}) } } : {};

export function deliveryRoutes(deps: { models: Models; temporal: Client; taskQueue: string }): Router {
  const router = new Router({ prefix: '/api' });
  const { models } = deps;

  router.get('/deliveries', async (ctx) => {
    const q = parseOr400(deliveryListQuery, ctx.query);
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
  });

  router.get('/deliveries/:id', async (ctx) => {
    const id = parseOr400(idParam, ctx.params.id);
    const doc = await models.Delivery.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no delivery with id "${id}"`);
    const attempts = await models.DeliveryAttempt.find({ delivery_id: id }).sort({ run: 1, attempt: 1 }).lean<Record<string, unknown>[]>();
    ctx.body = { ...deliveryToApi(doc), attempts: attempts.map(deliveryAttemptToApi) };
  });

  router.post('/deliveries/:id/redeliver', async (ctx) => {
    const id = parseOr400(idParam, ctx.params.id);
    const { run } = await redeliver(deps, id);
    ctx.status = 202;
    ctx.body = { id, run, status: 'pending' };
  });

  router.post('/deliveries/redeliver', async (ctx) => {
    const q = parseOr400(bulkRedeliverySchema, ctx.request.body ?? {});
    const filter: Record<string, unknown> = { status: q.status, ...timeRange(q.from, q.to) };
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
  });
  return router;
}
