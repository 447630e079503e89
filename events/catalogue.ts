import { z } from 'zod';
import { lifecycleStatuses } from '../domain/status';

/**
 * Every event type postflow records: its name, the version of its `data` schema, what it means and
 * an example. The zod schemas are the source of the JSON Schemas published at GET /api/event-types
 * and under `webhooks` in /openapi.json, and the types the builders (events/conversion-events.ts …)
 * must produce, so the document and what is recorded cannot drift apart.
 *
 * Versioning: adding an optional field keeps the version; renaming, removing or retyping a field
 * is a new version, recorded beside the old one for as long as subscriptions pin it.
 */

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 instant, UTC' });
const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .meta({ description: 'decimal in major units of `currency`' });
const status = z.enum(lifecycleStatuses);

/** What a CRM needs of a conversion, on every conversion.* event: the conversion as it stands after the change. */
const conversionFields = {
  conversion_id: id,
  offer_id: id,
  affiliate_id: id,
  advertiser_id: id,
  click_id: id,
  goal: z.string(),
  status,
  reason_codes: z.array(z.string()),
  payout: decimal.nullable().meta({ description: "the affiliate's payout; null until attributed" }),
  revenue: decimal.nullable().meta({ description: "the advertiser's revenue; null until attributed" }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .nullable()
    .meta({ description: 'ISO 4217' }),
  amount: z.string().nullable().meta({ description: 'the sale amount the advertiser sent, if any' }),
  txid: z.string().nullable().meta({ description: "the advertiser's transaction id, if sent" }),
  subs: z.record(z.string(), z.string()).meta({ description: "the click's sub ids (sub1 … sub5) that were set" }),
  received_at: instant.meta({ description: 'when the postback was accepted' }),
  test: z.boolean().meta({ description: 'a test conversion (README "Test postbacks"): in no report, cap or ledger' }),
};

/** The change itself, on events that a status transition makes. */
const transitionFields = {
  seq: z.number().int().min(0).meta({ description: "the transition's number within the conversion (0 is its first status)" }),
  from: status,
  to: status,
  actor: z.string().meta({ description: 'who made the change: system, advertiser:<id>, an ops key or session name' }),
  reason: z.string().nullable(),
};

const deliveryFields = {
  delivery_id: id,
  postback_event_id: id.meta({ description: 'the id the affiliate endpoint received (webhook-id)' }),
  conversion_id: id,
  endpoint_id: id,
  offer_id: id,
  affiliate_id: id,
  event: status.meta({ description: 'the conversion status the postback announced' }),
  run: z.number().int().min(0).meta({ description: '0 for the first delivery, +1 per redelivery' }),
  attempts: z.number().int().min(0).meta({ description: 'attempts made in this run' }),
  last_status_code: z.number().int().nullable(),
  test: z.boolean(),
};

const capFields = {
  offer_id: id,
  cap_id: z.string(),
  window: z.string().meta({ description: "the cap window's key, in the cap's time zone (e.g. 2026-12-01)" }),
  affiliate_id: id.nullable().meta({ description: 'set for a per-affiliate cap' }),
  metric: z.enum(['conversions', 'payout']),
  limit: z.number().meta({ description: 'a count, or minor units of the offer currency for a payout cap' }),
  reserved: z.number().meta({ description: 'places taken after the change' }),
  conversion_id: id.meta({ description: 'the conversion whose reservation (or release) made the change' }),
};

const endpointFields = {
  endpoint_id: id,
  affiliate_id: id,
  offer_id: id.nullable(),
};

const exampleConversion = {
  conversion_id: 'cv_01JEXAMPLE0000000000000000',
  offer_id: 'off_0123abcd',
  affiliate_id: 'aff_0123abcd',
  advertiser_id: 'adv_0123abcd',
  click_id: 'clk_0123abcdef',
  goal: 'sale',
  status: 'approved',
  reason_codes: [] as string[],
  payout: '12.00',
  revenue: '18.00',
  currency: 'USD',
  amount: '120.00',
  txid: 'order-1001',
  subs: { sub1: 'campaign-7' },
  received_at: '2026-12-01T10:00:00.000Z',
  test: false,
} as const;
const exampleDelivery = {
  delivery_id: 'dl_0123456789abcdef01234567',
  postback_event_id: 'evt_0123456789abcdef01234567',
  conversion_id: exampleConversion.conversion_id,
  endpoint_id: 'pe_0123abcd',
  offer_id: 'off_0123abcd',
  affiliate_id: 'aff_0123abcd',
  event: 'approved',
  run: 0,
  attempts: 1,
  last_status_code: 200,
  test: false,
} as const;
const exampleCap = {
  offer_id: 'off_0123abcd',
  cap_id: 'daily',
  window: '2026-12-01',
  affiliate_id: null,
  metric: 'conversions',
  limit: 100,
  reserved: 100,
  conversion_id: exampleConversion.conversion_id,
} as const;

export interface EventType<S extends z.ZodObject = z.ZodObject> {
  type: string;
  version: number;
  description: string;
  /** The schema of `data`. */
  schema: S;
  example: z.input<S>;
  /**
   * High volume: recorded only when the deployment asks for it, and sent only to subscriptions that
   * name the type or its group (`*` leaves it out: subscriptions/event-types.ts).
   */
  optIn?: boolean;
}

const define = <S extends z.ZodObject>(t: EventType<S>) => t;

export const conversionCreated = define({
  type: 'conversion.created',
  version: 1,
  description:
    'A conversion was accepted and got its first status (approved, pending, held or rejected) with its payout attributed. ' +
    'Recorded by the step that books that first status, together with the first conversion.status_changed.',
  schema: z.object(conversionFields),
  example: exampleConversion,
});

export const conversionStatusChanged = define({
  type: 'conversion.status_changed',
  version: 1,
  description:
    "A conversion's status changed (every transition, the first one from processing included): `from`, `to`, who did it and why. " +
    'Consecutive changes of one conversion have consecutive `seq`.',
  schema: z.object({ ...conversionFields, ...transitionFields }),
  example: { ...exampleConversion, seq: 1, from: 'pending', to: 'approved', actor: 'advertiser:adv_0123abcd', reason: null },
});

export const conversionRejected = define({
  type: 'conversion.rejected',
  version: 1,
  description:
    'A conversion was rejected at screening (fraud rules, caps, attribution); `reason_codes` say why. Also a conversion.status_changed.',
  schema: z.object({ ...conversionFields, ...transitionFields }),
  example: {
    ...exampleConversion,
    status: 'rejected',
    reason_codes: ['click_too_old'],
    seq: 0,
    from: 'processing',
    to: 'rejected',
    actor: 'system',
    reason: null,
  },
});

export const conversionReversed = define({
  type: 'conversion.reversed',
  version: 1,
  description: 'An approved conversion was reversed (a chargeback, a refund): its payout is handed back. Also a conversion.status_changed.',
  schema: z.object({ ...conversionFields, ...transitionFields }),
  example: {
    ...exampleConversion,
    status: 'reversed',
    seq: 2,
    from: 'approved',
    to: 'reversed',
    actor: 'advertiser:adv_0123abcd',
    reason: 'chargeback',
  },
});

export const deliverySucceeded = define({
  type: 'delivery.succeeded',
  version: 1,
  description: "An affiliate postback was delivered: the affiliate's endpoint answered 2xx. One per delivery run.",
  schema: z.object(deliveryFields),
  example: exampleDelivery,
});

export const deliveryDeadLettered = define({
  type: 'delivery.dead_lettered',
  version: 1,
  description:
    'An affiliate postback ended undelivered (attempts exhausted, or the endpoint gone or inactive); it can be redelivered. ' +
    'One per delivery run.',
  schema: z.object({ ...deliveryFields, reason: z.string().nullable(), last_error: z.string().nullable() }),
  example: { ...exampleDelivery, attempts: 12, last_status_code: 503, reason: 'attempts exhausted', last_error: null },
});

export const endpointPaused = define({
  type: 'endpoint.paused',
  version: 1,
  description:
    "An affiliate endpoint's breaker paused it after consecutive failures: deliveries wait until `paused_until` without spending attempts.",
  schema: z.object({
    ...endpointFields,
    consecutive_failures: z.number().int().min(1),
    paused_until: instant,
  }),
  example: {
    endpoint_id: 'pe_0123abcd',
    affiliate_id: 'aff_0123abcd',
    offer_id: null,
    consecutive_failures: 5,
    paused_until: '2026-12-01T10:05:00.000Z',
  },
});

export const endpointResumed = define({
  type: 'endpoint.resumed',
  version: 1,
  description: "A paused affiliate endpoint is delivering again: an attempt succeeded after the breaker's pause.",
  schema: z.object(endpointFields),
  example: { endpoint_id: 'pe_0123abcd', affiliate_id: 'aff_0123abcd', offer_id: null },
});

export const offerCapReached = define({
  type: 'offer.cap_reached',
  version: 1,
  description:
    "An offer's cap is full for its window: the reservation that took its last place (or, for a payout cap, the first one refused " +
    "at a given total). Later conversions are rejected or held (the cap's on_exceed).",
  schema: z.object(capFields),
  example: exampleCap,
});

export const offerCapReset = define({
  type: 'offer.cap_reset',
  version: 1,
  description:
    'A full cap has room again in the same window: a conversion holding a place was declined, rejected or reversed and gave it back. ' +
    '(A new window starts empty and records no event: its first offer.cap_reached names it.)',
  schema: z.object(capFields),
  example: { ...exampleCap, reserved: 99 },
});

export const clickCreated = define({
  type: 'click.created',
  version: 1,
  description:
    'A click was recorded and redirected to the offer. Opt-in: recorded only with EVENTS_CLICK_CREATED=true, and sent only to ' +
    'subscriptions that name `click.created` or `click.*` (`*` leaves it out). No IP address or user agent is included.',
  schema: z.object({
    click_id: id,
    offer_id: id,
    affiliate_id: id,
    advertiser_id: id,
    subs: z.record(z.string(), z.string()).meta({ description: 'the sub ids (sub1 … sub5) that were set' }),
    created_at: instant,
  }),
  example: {
    click_id: exampleConversion.click_id,
    offer_id: exampleConversion.offer_id,
    affiliate_id: exampleConversion.affiliate_id,
    advertiser_id: exampleConversion.advertiser_id,
    subs: { sub1: 'campaign-7' },
    created_at: '2026-12-01T09:59:12.000Z',
  },
  optIn: true,
});

/** The catalogue, in the order the document lists it. */
export const catalogue = [
  conversionCreated,
  conversionStatusChanged,
  conversionRejected,
  conversionReversed,
  deliverySucceeded,
  deliveryDeadLettered,
  endpointPaused,
  endpointResumed,
  offerCapReached,
  offerCapReset,
  clickCreated,
] as const satisfies readonly EventType[];

export const eventTypes = catalogue.map((t) => t.type);

/** The types `*` does not select (EventType.optIn). */
export const optInTypes: ReadonlySet<string> = new Set(catalogue.filter((t: EventType) => t.optIn).map((t) => t.type));

export const catalogueEntry = (type: string): EventType | undefined => catalogue.find((t) => t.type === type);

/** The JSON Schema of `data` for a type (draft 2020-12, as OpenAPI 3.1 uses). */
export const dataJsonSchema = (t: EventType): Record<string, unknown> =>
  z.toJSONSchema(t.schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
