import { z } from 'zod';
import { deliveryErrorClasses } from '../../domain/delivery-error-class';
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

const bulkFilters = ['affiliate_id', 'endpoint_id', 'status', 'error_class', 'from', 'to'] as const;

export const errorClass = z.enum(deliveryErrorClasses).meta({
  description:
    "why the delivery's last attempt failed: the HTTP status class, timeout, connection (refused, reset, DNS), " +
    'ssrf_refused (the address guard), signing, endpoint_inactive',
});

/**
 * Bulk redelivery: what to redeliver. A bulk action never starts from an empty or forgotten body:
 * it needs at least one filter, or `all: true` for every delivery of the status (default
 * dead-lettered). `dry_run` previews; `expected_count` makes the real call refuse (409) when the
 * same filter no longer matches what the preview showed.
 */
export const bulkRedeliverySchema = z
  .object({
    affiliate_id: idParam.optional(),
    endpoint_id: idParam.optional(),
    status: z.enum(['failed', 'dead_lettered']).optional().meta({ description: 'default: dead_lettered' }),
    error_class: errorClass.optional(),
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'created at or after' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'created before' }),
    all: z.literal(true).optional().meta({ description: 'redeliver every delivery of the status; instead of the other filters' }),
    dry_run: z.boolean().optional().meta({ description: 'true: count what the same call would redeliver, start nothing (200)' }),
    expected_count: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: "the preview's `matched`: if the filter now matches another number, nothing starts (409 count_changed)" }),
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
    test: z.boolean().meta({ description: 'a test conversion\'s (README "Test postbacks"): in no report, cap or ledger' }),
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
    request_headers: z
      .record(z.string(), z.string())
      .optional()
      .meta({
        description:
          'the headers sent, secret-named ones masked; webhook-signature keeps one `v1,***` per signature sent. ' +
          'Absent when nothing was sent and on attempts recorded before they were kept',
      }),
    request_body: z.string().optional().meta({
      description: 'the body sent (POST), its first 1 KiB; secret-named JSON fields masked',
    }),
    outcome: z.string().meta({ example: 'retry' }),
    status_code: z.number().int().optional().meta({ description: "the affiliate's server's HTTP status" }),
    duration_ms: z.number().optional().meta({ description: 'latency: from sending to the end of the excerpt' }),
    response_excerpt: z.string().optional().meta({ description: 'first 1 KiB of the answer' }),
    error: z.string().optional(),
    error_class: errorClass.optional().meta({ description: 'why it failed, as one word (absent on success)' }),
    at,
    next_attempt_at: at.nullable().optional().meta({ description: 'when the next attempt is due; null or absent after the last' }),
    test: z.boolean().meta({ description: 'a test conversion\'s (README "Test postbacks"): in no report, cap or ledger' }),
  })
  .meta({ id: 'DeliveryAttempt' });

export const deliveryAttemptListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  run: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .meta({ description: 'only this run (0 the first delivery, +1 per redelivery)' }),
});

export const deliveryWithAttempts = delivery.extend({ attempts: z.array(deliveryAttempt) }).meta({ id: 'DeliveryWithAttempts' });

export const redeliveryStarted = z
  .object({ id: idParam, run: z.number().int(), status: z.literal('pending') })
  .meta({ id: 'RedeliveryStarted' });
export const bulkRedeliveryFilter = z
  .object({
    affiliate_id: idParam.optional(),
    endpoint_id: idParam.optional(),
    status: z.enum(['failed', 'dead_lettered']),
    error_class: errorClass.optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .meta({ id: 'BulkRedeliveryFilter', description: 'the filter as applied, defaults filled in' });

export const bulkRedeliveryStarted = z
  .object({
    matched: z.number().int().meta({ description: 'what this call redelivered: at most 10 000, oldest first' }),
    started: z.number().int(),
    truncated: z.boolean().meta({ description: 'more matched than one request redelivers (10 000)' }),
  })
  .meta({ id: 'BulkRedeliveryStarted' });

export const bulkRedeliveryPreview = z
  .object({
    dry_run: z.literal(true),
    matched: z.number().int().meta({ description: 'what the same call would redeliver: at most 10 000, oldest first' }),
    truncated: z.boolean().meta({ description: 'more match than one request redelivers (10 000)' }),
    total: z.number().int().meta({ description: 'everything the filter matches, beyond the 10 000 too' }),
    filter: bulkRedeliveryFilter,
  })
  .meta({ id: 'BulkRedeliveryPreview' });
