import { z } from 'zod';
import { at, idParam } from './common';
import { errorClass } from './delivery';

const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

export const deliveryIssuesQuery = z.object({
  affiliate_id: idParam.optional(),
  endpoint_id: idParam.optional(),
  from: dateTime.optional().meta({ description: 'deliveries created at or after' }),
  to: dateTime.optional().meta({ description: 'deliveries created before' }),
});

const undeliveredStatus = z.enum(['failed', 'dead_lettered']);

export const deliveryIssue = z
  .object({
    endpoint_id: idParam,
    affiliate_id: idParam,
    endpoint_host: z.string().nullable().meta({ description: "the host of the endpoint's URL (null once the endpoint is gone)" }),
    error_class: errorClass,
    status: undeliveredStatus.meta({ description: 'failed: ended at once (a permanent answer); dead_lettered: retries ran out' }),
    count: z.number().int(),
    first_seen: at.meta({ description: 'the earliest last attempt among them' }),
    last_seen: at.meta({ description: 'the latest last attempt among them' }),
    last_error: z.string().meta({ description: 'the newest one, in one line: `HTTP 503: <start of the answer>` or the network error' }),
    recent: z
      .array(z.object({ id: idParam, conversion_id: idParam, failed_at: at, message: z.string() }))
      .meta({ description: 'the newest few (at most 5), to redeliver one or open its conversion' }),
  })
  .meta({ id: 'DeliveryIssue' });

export const deliveryIssues = z
  .object({
    data: z.array(deliveryIssue).meta({ description: 'biggest first' }),
    scanned: z.number().int().meta({ description: 'undelivered deliveries read' }),
    truncated: z.boolean().meta({ description: 'more than 100 000 matched: the counts cover the oldest 100 000' }),
  })
  .meta({ id: 'DeliveryIssues' });

export const endpointHealthQuery = z.object({
  window_hours: z.coerce.number().int().min(1).max(720).default(24).meta({ description: 'the window ending now, in hours' }),
  affiliate_id: idParam.optional(),
});

export const endpointHealth = z
  .object({
    endpoint_id: idParam,
    affiliate_id: idParam,
    endpoint_host: z.string().nullable(),
    active: z.boolean(),
    deactivated_reason: z.string().nullable(),
    attempts: z.number().int().meta({ description: 'attempts made in the window' }),
    succeeded: z.number().int(),
    success_rate: z.number().nullable().meta({ description: 'succeeded / attempts, 0 to 1 (4 decimals); null without attempts' }),
    last_error: z
      .object({ at, error_class: errorClass, message: z.string() })
      .nullable()
      .meta({ description: 'its latest failed attempt, whenever it was' }),
    consecutive_failures: z
      .number()
      .int()
      .meta({ description: 'retryable failures in a row (the breaker pauses at DELIVERY_PAUSE_AFTER_FAILURES)' }),
    paused: z.boolean().meta({ description: 'the breaker holds its deliveries until `paused_until`' }),
    paused_until: at.nullable().meta({ description: 'when it resumes: its deliveries are tried again then' }),
  })
  .meta({ id: 'EndpointHealth' });

export const endpointHealthList = z
  .object({
    window: z.object({ from: at, to: at, hours: z.number().int() }),
    data: z
      .array(endpointHealth)
      .meta({ description: 'endpoints with attempts in the window or paused now; paused first, then the lowest success rate' }),
  })
  .meta({ id: 'EndpointHealthList' });
