import type { z } from 'zod';
import { deliveryDeadLettered, deliverySucceeded } from './catalogue';
import type { NewEvent } from './envelope';
import { eventId } from './ids';

/** The delivery fields the events carry: what finishDelivery reads back from its own write. */
export const deliveryEventFields = {
  event_id: 1,
  event: 1,
  conversion_id: 1,
  endpoint_id: 1,
  offer_id: 1,
  affiliate_id: 1,
  run: 1,
  attempt_count: 1,
  last_status_code: 1,
  last_error: 1,
  test: 1,
} as const;

export interface DeliveryForEvents {
  _id: string;
  event_id: string;
  event: string;
  conversion_id: string;
  endpoint_id: string;
  offer_id: string;
  affiliate_id: string;
  run?: number | null;
  attempt_count?: number | null;
  last_status_code?: number | null;
  last_error?: string | null;
  test?: boolean | null;
}

/**
 * The event of a delivery run's end: delivery.succeeded or delivery.dead_lettered (a permanent
 * failure, `failed`, has no event yet). Ids are (type, delivery, run): a retried finish records
 * the same event, a redelivery (the next run) a new one.
 */
export function deliveryFinishedEvents(d: DeliveryForEvents, finish: { status: string; reason?: string }, at: Date): NewEvent[] {
  const type = finish.status === 'succeeded' ? deliverySucceeded : finish.status === 'dead_lettered' ? deliveryDeadLettered : undefined;
  if (!type) return [];
  const run = d.run ?? 0;
  const data: z.input<typeof deliverySucceeded.schema> = {
    delivery_id: d._id,
    postback_event_id: d.event_id,
    conversion_id: d.conversion_id,
    endpoint_id: d.endpoint_id,
    offer_id: d.offer_id,
    affiliate_id: d.affiliate_id,
    event: d.event as z.input<typeof deliverySucceeded.schema>['event'],
    run,
    attempts: d.attempt_count ?? 0,
    last_status_code: d.last_status_code ?? null,
    test: d.test === true,
  };
  const deadLetter: z.input<typeof deliveryDeadLettered.schema> = {
    ...data,
    reason: finish.reason ?? null,
    last_error: d.last_error ?? null,
  };
  return [
    {
      id: eventId(type.type, d._id, run),
      type: type.type,
      schema_version: type.version,
      occurred_at: at,
      data: type === deliverySucceeded ? data : deadLetter,
      subject: d.conversion_id,
      offer_id: d.offer_id,
      affiliate_id: d.affiliate_id,
      ...(d.test ? { test: true } : {}),
    },
  ];
}
