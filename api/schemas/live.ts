import { z } from 'zod';
import { lifecycleStatuses } from '../../domain/status';
import { cursorPattern, kinds } from '../live/cursor';
import { at, idParam } from './common';
import { deliveryStatuses } from './delivery';
import { deliveryEvents } from './postback-endpoint';

/** A status of either kind: a conversion's lifecycle status or a delivery's. */
export const liveStatuses = [...new Set([...lifecycleStatuses, ...deliveryStatuses])] as [string, ...string[]];

export const liveQuery = z.object({
  kind: z.enum(kinds).optional().meta({ description: 'only conversions or only deliveries; default both' }),
  offer_id: idParam.optional(),
  affiliate_id: idParam.optional(),
  advertiser_id: idParam.optional().meta({ description: "only this advertiser's conversions (delivery events carry no advertiser)" }),
  status: z
    .enum(liveStatuses)
    .optional()
    .meta({ description: "only events whose conversion or delivery has this status (a conversion's or a delivery's)" }),
});
export type LiveQuery = z.infer<typeof liveQuery>;

export const liveHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(new RegExp(cursorPattern), 'must be the id of an event this stream sent')
    .optional()
    .meta({ description: 'resume after this event (EventSource sends it when it reconnects): nothing in between is missed' }),
});

const common = {
  at: at.meta({ description: 'when the change was stored (the stream is ordered by it)' }),
  offer_id: idParam,
  affiliate_id: idParam,
  test: z.boolean().optional().meta({ description: 'true on the events of a test conversion (README "Test postbacks"); absent otherwise' }),
};

export const liveConversionEvent = z
  .object({
    kind: z.literal('conversion'),
    id: idParam.meta({ description: 'the conversion id' }),
    ...common,
    advertiser_id: idParam,
    status: z.enum(lifecycleStatuses),
    reason_codes: z.array(z.string()),
    goal: z.string(),
    txid: z.string().optional(),
    payout: z.string().nullable().meta({ description: 'decimal in the currency; null until attributed', example: '12.00' }),
    revenue: z.string().nullable().meta({ example: '18.00' }),
    currency: z.string().optional().meta({ example: 'USD' }),
    received_at: at.meta({ description: 'when the postback was received' }),
  })
  .meta({ id: 'LiveConversionEvent', description: 'SSE event `conversion`: a new conversion, or a change of its status' });

export const liveDeliveryEvent = z
  .object({
    kind: z.literal('delivery'),
    id: idParam.meta({ description: 'the delivery id' }),
    ...common,
    conversion_id: idParam,
    endpoint_id: idParam,
    event: z.enum(deliveryEvents),
    status: z.enum(deliveryStatuses),
    status_reason: z.string().optional(),
    run: z.number().int(),
    attempt_count: z.number().int(),
    last_status_code: z.number().int().optional(),
    last_error: z.string().optional(),
    next_attempt_at: at.optional().meta({ description: 'when a failed attempt is tried again' }),
  })
  .meta({
    id: 'LiveDeliveryEvent',
    description: 'SSE event `delivery`: an attempt that failed and will be retried, or the end of a delivery run',
  });

export const liveEvent = z.discriminatedUnion('kind', [liveConversionEvent, liveDeliveryEvent]).meta({
  id: 'LiveEvent',
  description: "each SSE event's `data`: one JSON object; the event's name is its `kind` and its `id` the stream position",
});
export type LiveEvent = z.infer<typeof liveEvent>;
