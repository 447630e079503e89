import type { Client } from '@temporalio/client';
import { deliveryErrorClass, type AttemptFault } from '../../domain/delivery-error-class';
import type { Models } from '../../models';
import { addAuditDetail, skipAudit } from '../audit';
import { undelivered, type UndeliveredFilter } from '../deliveries/undelivered';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { redeliver, redeliverEach } from '../redeliver';
import { route, type Route } from '../route';
import { page } from '../schemas/common';
import {
  bulkRedeliveryPreview,
  bulkRedeliveryStarted,
  bulkRedeliverySchema,
  delivery,
  deliveryAttempt,
  deliveryAttemptListQuery,
  deliveryListQuery,
  deliveryWithAttempts,
  redeliveryStarted,
} from '../schemas/delivery';
import { deliveryAttemptToApi, deliveryToApi } from '../serialize';

const BULK_LIMIT = 10_000;

/**
 * What a bulk redelivery would start: the first BULK_LIMIT matches, oldest first, and how many
 * match in all. The preview (dry_run) and the real call both run this with the same filter.
 */
async function bulkMatch(models: Models, filter: UndeliveredFilter): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let total = 0;
  for await (const d of undelivered(models, filter)) {
    total += 1;
    if (ids.length < BULK_LIMIT) ids.push(d.id);
  }
  return { ids, total };
}

/** An attempt row as the API shows it, with why it failed as one word (as the delivery issues group them). */
const attemptToApi = (doc: Record<string, unknown>) => ({
  ...deliveryAttemptToApi(doc),
  ...(doc.outcome === 'success' ? {} : { error_class: deliveryErrorClass(doc as unknown as AttemptFault) }),
});

const timeRange = (from?: string, to?: string) =>
  from || to ? { created_at: { ...(from ? { $gte: new Date(from) } : {}), ...(to ? { $lt: new Date(to) } : {}) } } : {};

export function deliveryRoutes(deps: { models: Models; temporal: Client; taskQueue: string }): Route[] {
  const { models } = deps;
  const base = { tag: 'Deliveries', access: 'admin' } as const;
  // An affiliate sees and redelivers its own deliveries; advertisers have none.
  const ownDelivery = { ops: true, affiliate: { owned: 'Delivery', label: 'delivery' } } as const;

  const list = route(
    {
      ...base,
      method: 'get',
      path: '/api/deliveries',
      realms: { ops: true, affiliate: { filter: 'affiliate_id' } },
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
      realms: ownDelivery,
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
      ctx.body = { ...deliveryToApi(doc), attempts: attempts.map(attemptToApi) };
    },
  );

  const attempts = route(
    {
      ...base,
      method: 'get',
      path: '/api/deliveries/{id}/attempts',
      realms: ownDelivery,
      summary: "A delivery's attempts, oldest first",
      description:
        'Per attempt: what was sent (URL with secrets masked, method, headers, body) and what the server answered ' +
        '(status code, first 1 KiB, latency, error class), and when the next attempt is due.',
      params: byId('delivery'),
      query: deliveryAttemptListQuery,
      responses: { 200: json(page(deliveryAttempt, 'DeliveryAttemptPage'), 'One page') },
      errors: [400, 404],
    },
    async (ctx, { params: { id }, query: q }) => {
      if (!(await models.Delivery.exists({ _id: id }))) throw new ApiError(404, 'not_found', `no delivery with id "${id}"`);
      const docs = await models.DeliveryAttempt.find({ delivery_id: id, ...(q.run !== undefined ? { run: q.run } : {}) })
        .sort({ run: 1, attempt: 1 })
        .skip(q.offset)
        .limit(q.limit + 1)
        .lean<Record<string, unknown>[]>();
      ctx.body = {
        data: docs.slice(0, q.limit).map(attemptToApi),
        next_offset: docs.length > q.limit ? q.offset + q.limit : null,
      };
    },
  );

  const redeliverOne = route(
    {
      ...base,
      method: 'post',
      path: '/api/deliveries/{id}/redeliver',
      realms: ownDelivery,
      capability: 'redeliver',
      summary: 'Deliver again (same event id, new run)',
      params: byId('delivery'),
      responses: { 202: json(redeliveryStarted, 'Started') },
      errors: [400, 404, 409],
      audit: { action: 'delivery.redeliver', target: 'params' },
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
      realms: { ops: true, affiliate: { bodyFilter: 'affiliate_id' } },
      capability: 'redeliver',
      summary: 'Deliver again everything that matches',
      description:
        'Needs at least one filter, or `all: true` for every delivery of the status; `status` defaults to dead_lettered. ' +
        'Redelivers at most the first 10 000 matches, oldest first (`truncated`, `total`). ' +
        'Preview with `dry_run: true` (200, starts nothing), then send the same filter with `expected_count` set to the ' +
        "preview's `matched`: if the filter matches another number by then, nothing starts (409 `count_changed`).",
      body: bulkRedeliverySchema,
      responses: {
        200: json(bulkRedeliveryPreview, 'Dry run: what the same call would redeliver'),
        202: json(bulkRedeliveryStarted, 'Started'),
      },
      errors: [409],
      audit: { action: 'delivery.bulk_redeliver', target: 'none' },
    },
    async (ctx, { body: q }) => {
      const applied = {
        status: q.status ?? 'dead_lettered',
        ...(q.affiliate_id ? { affiliate_id: q.affiliate_id } : {}),
        ...(q.endpoint_id ? { endpoint_id: q.endpoint_id } : {}),
        ...(q.error_class ? { error_class: q.error_class } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
      };
      const { ids, total } = await bulkMatch(models, { ...applied, statuses: [applied.status] });
      const truncated = total > ids.length;
      if (q.dry_run) {
        skipAudit(ctx);
        ctx.body = { dry_run: true, matched: ids.length, truncated, total, filter: applied };
        return;
      }
      if (q.expected_count !== undefined && q.expected_count !== ids.length)
        throw new ApiError(
          409,
          'count_changed',
          `this filter now matches ${ids.length} deliveries, not the ${q.expected_count} previewed; nothing was redelivered: preview again`,
        );
      const { started } = await redeliverEach(deps, ids);
      addAuditDetail(ctx, { filter: applied, matched: ids.length, started, truncated });
      ctx.status = 202;
      ctx.body = { matched: ids.length, started, truncated };
    },
  );
  return [list, read, attempts, redeliverOne, redeliverAll];
}
