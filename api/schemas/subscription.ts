import { z } from 'zod';
import { typePatternSchema } from '../../subscriptions/event-types';
import { fieldsSchema } from '../../subscriptions/fields';
import { filterSchema } from '../../subscriptions/filter';
import { at, idParam, nonBlank, timestamps } from './common';

/**
 * Request headers a subscription may not set: hop-by-hop ones (RFC 9110 §7.6.1), the ones the
 * sender computes (host, length, type), the Standard Webhooks signature headers (a receiver must
 * be able to trust them) and our own `x-postflow-` namespace.
 */
const refusedHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;

export const customHeadersSchema = z
  .record(
    z.string(),
    z
      .string()
      .max(1000)
      .regex(/^[\t\x20-\x7e]*$/, 'must be printable ASCII on one line'),
  )
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 headers' });
    for (const name of names) {
      const lower = name.toLowerCase();
      if (!TOKEN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name' });
      else if (refusedHeaders.has(lower) || lower.startsWith('x-postflow-'))
        ctx.addIssue({ code: 'custom', path: [name], message: 'is set by postflow or is hop-by-hop, so it cannot be set here' });
    }
  })
  // Stored lower-case, so two spellings of one name cannot both be sent.
  .transform((headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])))
  .meta({
    description:
      "extra request headers (e.g. a CRM's `authorization`); hop-by-hop headers, host, content-*, webhook-* " +
      'and x-postflow-* are refused. Values of secret-named headers are never shown again',
    example: { 'x-crm-account': '42' },
  });

const receiverUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((url) => {
    try {
      return ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      return false;
    }
  }, 'must be an http or https URL')
  .meta({ description: 'the receiver; the delivery SSRF guard applies when sending (README "Delivery safety")' });

const eventTypes = z
  .array(typePatternSchema)
  .min(1)
  .max(50)
  .meta({ description: 'event types, a group (`conversion.*`) or `*` (all but opt-in types such as `click.created`)' });

const fields = {
  url: receiverUrl,
  event_types: eventTypes,
  filter: filterSchema,
  fields: fieldsSchema,
  headers: customHeadersSchema,
  strict_order: z.boolean().meta({
    description: 'send the next event only after the previous one succeeded or was dead-lettered (README "Subscriptions": order)',
  }),
  description: nonBlank(200),
  active: z.boolean(),
};

export const subscriptionCreateSchema = z
  .object({
    url: fields.url,
    event_types: fields.event_types,
    filter: fields.filter.optional(),
    fields: fields.fields.optional(),
    headers: fields.headers.optional(),
    strict_order: fields.strict_order.default(false),
    description: fields.description.optional(),
    affiliate_id: idParam.optional().meta({
      description: "scope: only this affiliate's conversions (an affiliate's own key sets it to itself); absent: the whole network",
    }),
  })
  .strict();

/** PATCH: any subset, no defaults; `fields: null` sends all of `data` again, `filter: {}` matches every event. */
export const subscriptionUpdateSchema = z
  .object({
    url: fields.url.optional(),
    event_types: fields.event_types.optional(),
    filter: fields.filter.optional(),
    fields: fields.fields.nullable().optional(),
    headers: fields.headers.optional(),
    strict_order: fields.strict_order.optional(),
    description: fields.description.optional(),
    active: fields.active.optional(),
  })
  .strict();

export const subscriptionListQuery = z
  .object({ affiliate_id: idParam.optional().meta({ description: "only subscriptions scoped to this affiliate's conversions" }) })
  .strict();

export const subscription = z
  .object({
    id: idParam,
    url: z.string(),
    event_types: z.array(z.string()),
    filter: z.record(z.string(), z.unknown()),
    fields: z.array(z.string()).nullable(),
    headers: z.record(z.string(), z.string()).meta({ description: 'the custom headers; a secret-named one’s value reads ***' }),
    strict_order: z.boolean(),
    affiliate_id: idParam.nullable().meta({ description: "the scope: this affiliate's conversions only; null for the network's events" }),
    description: z.string().nullable(),
    active: z.boolean(),
    deactivated_reason: z.string().nullable(),
    paused: z.boolean().meta({ description: 'paused by hand until resumed; events wait, none is skipped' }),
    paused_at: at.nullable(),
    paused_until: at.nullable().meta({ description: 'the breaker: no attempts before this time' }),
    consecutive_failures: z.number().int(),
    rotation_overlap_until: at.nullable(),
    ...timestamps,
  })
  .meta({ id: 'Subscription' });

export const subscriptionCreated = subscription
  .extend({
    signing_secret: z.string().meta({ description: 'the Standard Webhooks secret (whsec_…): shown this once, never again' }),
  })
  .meta({ id: 'SubscriptionCreated' });

const replayInstant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

const sequenceNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const subscriptionReplaySchema = z
  .object({
    from: replayInstant.optional().meta({ description: 'by time: events that occurred at or after this' }),
    to: replayInstant.optional().meta({ description: 'with `from`: and before this (default: now)' }),
    after_sequence: sequenceNumber.optional().meta({
      description: 'by sequence number (the cursor a receiver keeps): the events after this one, e.g. the last it processed; 0 for all',
    }),
    through_sequence: sequenceNumber
      .min(1)
      .optional()
      .meta({ description: 'with `after_sequence`: up to and including this one (default: the newest)' }),
    dry_run: z.boolean().optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((q.from === undefined) === (q.after_sequence === undefined))
      issue('from', 'give either `from` (a time range) or `after_sequence` (a sequence range), not both or neither');
    if (q.to !== undefined && q.from === undefined) issue('to', '`to` ends a time range: give `from` with it');
    if (q.through_sequence !== undefined && q.after_sequence === undefined)
      issue('through_sequence', '`through_sequence` ends a sequence range: give `after_sequence` with it');
  })
  // What the refinement checks, as JSON Schema, so the document's readers (and schemathesis) know it:
  // one kind of range, its start given, no field of the other kind. An empty range is valid: it matches nothing.
  .meta({
    oneOf: [
      { required: ['from'], not: { anyOf: [{ required: ['after_sequence'] }, { required: ['through_sequence'] }] } },
      { required: ['after_sequence'], not: { anyOf: [{ required: ['from'] }, { required: ['to'] }] } },
    ],
  });

export const subscriptionReplayed = z.object({
  matched: z.number().int().meta({ description: "the subscription's events in the range (at most 10 000)" }),
  started: z.number().int().meta({ description: 'sent again as a new run' }),
  in_progress: z.number().int().meta({ description: 'still being delivered, so not started again' }),
  truncated: z.boolean().meta({ description: 'more matched than one call sends: call again with `after_sequence` = `last_sequence`' }),
  last_sequence: z.number().int().nullable().meta({ description: 'the sequence number of the last event matched (null: none)' }),
  dry_run: z.boolean(),
});

export const subscriptionDeliveryListQuery = z
  .object({
    status: z.enum(['pending', 'delivering', 'succeeded', 'failed', 'dead_lettered']).optional(),
    after_sequence: z.coerce
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .meta({ description: "the previous page's `next_after_sequence`" }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const subscriptionDelivery = z
  .object({
    id: z.string().meta({ example: 'sd_0123456789abcdef01234567' }),
    event_id: z.string().meta({ description: 'the event id (webhook-id)' }),
    type: z.string(),
    sequence: z.number().int(),
    status: z.enum(['pending', 'delivering', 'succeeded', 'failed', 'dead_lettered']),
    status_reason: z.string().nullable(),
    run: z.number().int().meta({ description: '0 for the first delivery, +1 per redelivery or replay' }),
    attempt_count: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    occurred_at: z.string(),
  })
  .meta({ id: 'SubscriptionDelivery' });

export const subscriptionDeliveryPage = z.object({
  data: z.array(subscriptionDelivery),
  next_after_sequence: z.number().int().nullable(),
});
