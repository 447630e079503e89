import { z } from 'zod';
import { at, idParam, timestamps } from './common';
import { deliveryEvents } from './postback-endpoint';

export const deliveryStatuses = ['pending', 'delivering', 'succeeded', 'failed', 'dead_lettered'] as const;

export const deliveryListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  affiliate_id: idParam.optional(),
  endpoint_id: idParam.optional(),
  conversion_id: idParam.optional(),
  status: z.enum(deliveryStatuses).optional(),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
});

const bulkFilters = ['affiliate_id', 'endpoint_id', 'status', 'from', 'to'] as const;

/**
 * Bulk redelivery: what to redeliver. A bulk action never starts from an empty or forgotten body:
 * it needs at least one filter, or `all: true` for every delivery of the status (default
 * dead-lettered).
 */
export const bulkRedeliverySchema = z
  .object({
    affiliate_id: idParam.optional(),
    endpoint_id: idParam.optional(),
    status: z.enum(['failed', 'dead_lettered']).optional().meta({ description: 'default: dead_lettered' }),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    all: z.literal(true).optional().meta({ description: 'redeliver every delivery of the status; instead of the other filters' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (!body.all && bulkFilters.every((key) => body[key] === undefined))
      ctx.addIssue({ code: 'custom', path: [], message: `give at least one filter (${bulkFilters.join(', ')}) or "all": true` });
  })
  .meta({
    description: 'at least one filter, or `all: true`',
    anyOf: [...bulkFilters.map((key) => ({ required: [key] })), { required: ['all'] }],
  });

export const delivery = z
  .object({
    id: idParam,
    event_id: z.string().meta({ description: 'stable across attempts and redeliveries; receivers de-duplicate on it' }),
    event: z.enum(deliveryEvents),
    conversion_id: idParam,
    affiliate_id: idParam,
    endpoint_id: idParam,
    offer_id: idParam,
    status: z.enum(deliveryStatuses),
    status_reason: z.string().optional(),
    run: z.number().int().meta({ description: '0 for the first delivery, +1 per redelivery' }),
    attempt_count: z.number().int(),
    last_status_code: z.number().int().optional(),
    last_error: z.string().optional(),
    next_attempt_at: at.nullable().optional().meta({ description: 'null once the delivery has ended' }),
    delivered_at: at.optional(),
    occurred_at: at,
    values: z.record(z.string(), z.unknown()).optional().meta({
      description: "the macro values as they were when the event happened (not in a conversion's deliveries)",
    }),
    ...timestamps,
  })
  .meta({ id: 'Delivery' });

export const deliveryAttempt = z
  .object({
    id: z.string(),
    delivery_id: idParam,
    event_id: z.string(),
    endpoint_id: idParam,
    run: z.number().int(),
    attempt: z.number().int(),
    method: z.enum(['GET', 'POST']),
    request_url: z.string().meta({ description: 'secrets in the query string masked' }),
    outcome: z.string().meta({ example: 'retry' }),
    status_code: z.number().int().optional(),
    duration_ms: z.number().optional(),
    response_excerpt: z.string().optional().meta({ description: 'first 1 KiB of the answer' }),
    error: z.string().optional(),
    at,
    next_attempt_at: at.nullable().optional().meta({ description: 'when the next attempt is due; null or absent after the last' }),
  })
  .meta({ id: 'DeliveryAttempt' });

export const deliveryWithAttempts = delivery.extend({ attempts: z.array(deliveryAttempt) }).meta({ id: 'DeliveryWithAttempts' });

export const redeliveryStarted = z
  .object({ id: idParam, run: z.number().int(), status: z.literal('pending') })
  .meta({ id: 'RedeliveryStarted' });
export const bulkRedeliveryStarted = z
  .object({
    matched: z.number().int(),
    started: z.number().int(),
    truncated: z.boolean().meta({ description: 'more matched than one request redelivers (10 000)' }),
  })
  .meta({ id: 'BulkRedeliveryStarted' });
