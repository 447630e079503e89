import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';
import { idParam } from '../schemas/common';
import { offerSchema } from '../schemas/offer';
import { advertiserCreateSchema, affiliateCreateSchema } from '../schemas/parties';
import { deliveryEvents } from '../schemas/postback-endpoint';

/**
 * What the API answers, for the reference only: responses are built by api/serialize.ts, not
 * parsed, so these shapes describe them. Request shapes are never restated here: where a
 * response echoes a request, it is derived from the schema the route validates with.
 * `.meta({ id })` makes a shape a named component (zod-to-openapi reads zod's own metadata).
 */
const at = z.iso.datetime();
const timestamps = { created_at: at, updated_at: at };
const id = idParam;

export const errorBody = z
  .object({
    error: z.string().meta({ description: 'machine-readable code', example: 'invalid_request' }),
    message: z.string().meta({
      description: 'what went wrong, naming each wrong field',
      example: 'limit: Too big: expected number to be <=500',
    }),
    issues: z
      .array(
        z.object({
          path: z.string().meta({ example: 'limit' }),
          code: z.string().meta({ example: 'too_big' }),
          message: z.string(),
        }),
      )
      .optional()
      .meta({ description: 'one entry per wrong field (validation errors only)' }),
  })
  .meta({ id: 'Error', description: 'Every error, whatever the status' });

/** `{data, next_offset}`: next_offset is null on the last page. */
export const page = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      next_offset: z.number().int().nullable().meta({ description: 'offset of the next page; null on the last page' }),
    })
    .meta({ id: name });

export const advertiser = advertiserCreateSchema.extend({ id, active: z.boolean(), ...timestamps }).meta({ id: 'Advertiser' });
export const advertiserCreated = advertiser
  .extend({
    postback_token: z.string().meta({ description: 'shown once, here; only its SHA-256 is stored', example: 'pt_…' }),
  })
  .meta({ id: 'AdvertiserCreated' });
export const affiliate = affiliateCreateSchema.extend({ id, active: z.boolean(), ...timestamps }).meta({ id: 'Affiliate' });

// The stored offer is the validated request (defaults applied) plus what the server adds.
export const offer = z
  .intersection(
    offerSchema.meta({ id: 'OfferInput' }),
    z.object({
      id,
      caps: z.array(z.object({ id: z.string().meta({ description: 'metric:period:goal:scope:timezone' }) })),
      ...timestamps,
    }),
  )
  .meta({ id: 'Offer' });

const statusChange = z.object({
  seq: z.number().int(),
  from: z.string(),
  to: z.enum(lifecycleStatuses),
  reason: z.string().optional(),
  actor: z.string().optional(),
  at,
});

export const delivery = z
  .object({
    id,
    event_id: z.string().meta({ description: 'stable across attempts and redeliveries; receivers de-duplicate on it' }),
    event: z.enum(deliveryEvents),
    conversion_id: id,
    affiliate_id: id,
    endpoint_id: id,
    offer_id: id,
    status: z.enum(['pending', 'delivering', 'succeeded', 'failed', 'dead_lettered']),
    status_reason: z.string().optional(),
    run: z.number().int().meta({ description: '0 for the first delivery, +1 per redelivery' }),
    attempt_count: z.number().int(),
    last_status_code: z.number().int().optional(),
    last_error: z.string().optional(),
    next_attempt_at: at.optional(),
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
    delivery_id: id,
    event_id: z.string(),
    endpoint_id: id,
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
    next_attempt_at: at.optional(),
  })
  .meta({ id: 'DeliveryAttempt' });

export const conversion = z
  .object({
    id,
    status: z.enum(lifecycleStatuses),
    reason_codes: z.array(z.string()).meta({ example: ['too_fast'] }),
    click_id: id,
    offer_id: id,
    affiliate_id: id,
    advertiser_id: id,
    workflow_id: z.string(),
    goal: z.string(),
    txid: z.string().optional(),
    amount: z.string().optional().meta({ description: 'the sale amount the advertiser sent' }),
    payout: z.string().nullable().meta({ description: 'decimal in the currency; null until attributed', example: '12.00' }),
    revenue: z.string().nullable().meta({ example: '18.00' }),
    currency: z.string().optional().meta({ example: 'USD' }),
    subs: z.record(z.string(), z.string()),
    ip: z.string().optional(),
    fraud: z.record(z.string(), z.unknown()).optional().meta({ description: 'the fraud verdict with each failing rule and its evidence' }),
    status_history: z.array(statusChange),
    cap_reservations: z.array(z.string()),
    created_at: at.meta({ description: 'when the postback was received' }),
    updated_at: at,
  })
  .meta({ id: 'Conversion' });
export const conversionWithDeliveries = conversion.extend({ deliveries: z.array(delivery) }).meta({ id: 'ConversionWithDeliveries' });
export const conversionStatusChanged = conversion
  .extend({ changed: z.boolean().meta({ description: 'false when the conversion already had this status' }) })
  .meta({ id: 'ConversionStatusChanged' });

export const postbackEndpoint = z
  .object({
    id,
    affiliate_id: id,
    url: z.string(),
    method: z.enum(['GET', 'POST']),
    events: z.array(z.enum(deliveryEvents)),
    offer_id: id.optional(),
    goal: z.string().optional(),
    body: z.string().optional(),
    signing_secret_set: z.boolean().meta({ description: 'whether deliveries are signed; the secret itself is never returned' }),
    active: z.boolean(),
    deactivated_reason: z.string().nullable().optional(),
    consecutive_failures: z.number().int(),
    paused_until: at.nullable().meta({ description: 'the breaker: no attempts before this time' }),
    ...timestamps,
  })
  .meta({ id: 'PostbackEndpoint' });

export const postbackResult = z
  .object({
    conversion_id: id,
    result: z.enum(['accepted', 'duplicate', 'status_update']),
    status: z.enum(lifecycleStatuses).optional().meta({ description: 'the new status, with result status_update' }),
  })
  .meta({ id: 'PostbackResult' });

export const receipt = z
  .object({
    conversions: z.array(
      z.object({
        conversion_id: id,
        status: z.enum(lifecycleStatuses),
        reason_codes: z.array(z.string()),
        click_id: id,
        offer_id: id,
        goal: z.string(),
        txid: z.string().nullable(),
        received_at: at,
        updated_at: at,
      }),
    ),
  })
  .meta({ id: 'PostbackReceipt' });

export const balance = z
  .object({
    affiliate_id: id,
    balances: z.array(
      z.object({
        currency: z.string().meta({ example: 'USD' }),
        payable: z.string().meta({ example: '12.00' }),
        entries: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'AffiliateBalance' });

export const redeliveryStarted = z.object({ id, run: z.number().int(), status: z.literal('pending') }).meta({ id: 'RedeliveryStarted' });
export const bulkRedeliveryStarted = z
  .object({
    matched: z.number().int(),
    started: z.number().int(),
    truncated: z.boolean().meta({ description: 'more matched than one request redelivers (10 000)' }),
  })
  .meta({ id: 'BulkRedeliveryStarted' });

export const health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export const readiness = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.string()).meta({ example: { mongodb: 'ok', temporal: 'ok' } }),
  })
  .meta({ id: 'Readiness' });
