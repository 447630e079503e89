import type { paths, components } from '../../api/schema';

/**
 * The offer form's state: the API's request shape, with text where the API takes numbers (what
 * the user typed goes to the API as typed, so its error names the field) and two fields edited as
 * text: blocked sub ids one per line, affiliate overrides as JSON (rarely used).
 */
export type OfferBody = paths['/api/offers']['post']['requestBody']['content']['application/json'];
export type OfferPatch = NonNullable<paths['/api/offers/{id}']['patch']['requestBody']>['content']['application/json'];
export type Offer = components['schemas']['Offer'];
type Goal = OfferBody['goals'][number];
type Cap = NonNullable<OfferBody['caps']>[number];
type Fraud = NonNullable<OfferBody['fraud']>;
type AmountRule = Goal['payout'];

export interface GoalForm {
  key: string;
  name: string;
  payout: { type: AmountRule['type']; amount: string };
  revenue: { type: AmountRule['type']; amount: string };
  default_status: NonNullable<Goal['default_status']>;
  hold_hours: string;
  allow_multiple: boolean;
}

export interface CapForm {
  goal: string;
  metric: Cap['metric'];
  period: Cap['period'];
  limit: string;
  per_affiliate: boolean;
  timezone: string;
  on_exceed: NonNullable<Cap['on_exceed']>;
}

export interface OfferForm {
  advertiser_id: string;
  name: string;
  url: string;
  currency: string;
  attribution_window_hours: string;
  default_goal: string;
  goals: GoalForm[];
  caps: CapForm[];
  fraud: {
    min_seconds_to_convert: string;
    max_seconds_to_convert: string;
    max_conversions_per_ip_per_day: string;
    require_same_ip: boolean;
    blocked_sub_ids: string;
    action: NonNullable<Fraud['action']>;
  };
  affiliate_overrides: string;
  /** A select: "true" or "false". */
  active: 'true' | 'false';
}

export const newGoal = (key = ''): GoalForm => ({
  key,
  name: '',
  payout: { type: 'fixed', amount: '' },
  revenue: { type: 'fixed', amount: '' },
  default_status: 'approved',
  hold_hours: '',
  allow_multiple: false,
});

export const newCap = (): CapForm => ({
  goal: '',
  metric: 'conversions',
  period: 'day',
  limit: '',
  per_affiliate: false,
  timezone: 'UTC',
  on_exceed: 'reject',
});

export const newOffer = (advertiserId = ''): OfferForm => ({
  advertiser_id: advertiserId,
  name: '',
  url: '',
  currency: 'USD',
  attribution_window_hours: '720',
  default_goal: 'sale',
  goals: [newGoal('sale')],
  caps: [],
  fraud: {
    min_seconds_to_convert: '',
    max_seconds_to_convert: '',
    max_conversions_per_ip_per_day: '',
    require_same_ip: false,
    blocked_sub_ids: '',
    action: 'reject',
  },
  affiliate_overrides: '[]',
  active: 'true',
});

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** The form for an offer as the API reads it (GET /api/offers/:id). */
export function offerToForm(offer: Offer): OfferForm {
  return {
    advertiser_id: offer.advertiser_id,
    name: offer.name,
    url: offer.url,
    currency: offer.currency,
    attribution_window_hours: text(offer.attribution_window_hours),
    default_goal: offer.default_goal,
    goals: offer.goals.map((g) => ({
      key: g.key,
      name: text(g.name),
      payout: { type: g.payout.type, amount: text(g.payout.amount) },
      revenue: { type: g.revenue.type, amount: text(g.revenue.amount) },
      default_status: g.default_status,
      hold_hours: text(g.hold_hours),
      allow_multiple: g.allow_multiple,
    })),
    caps: offer.caps.map((c) => ({
      goal: text(c.goal),
      metric: c.metric,
      period: c.period,
      limit: text(c.limit),
      per_affiliate: c.per_affiliate,
      timezone: c.timezone,
      on_exceed: c.on_exceed,
    })),
    fraud: {
      min_seconds_to_convert: text(offer.fraud.min_seconds_to_convert),
      max_seconds_to_convert: text(offer.fraud.max_seconds_to_convert),
      max_conversions_per_ip_per_day: text(offer.fraud.max_conversions_per_ip_per_day),
      require_same_ip: offer.fraud.require_same_ip ?? false,
      blocked_sub_ids: (offer.fraud.blocked_sub_ids ?? []).join('\n'),
      action: offer.fraud.action,
    },
    affiliate_overrides: JSON.stringify(offer.affiliate_overrides, null, 2),
    active: offer.active ? 'true' : 'false',
  };
}

/**
 * A number field: empty is "not set"; anything else goes as a number when it reads as one and
 * as typed otherwise, so the API's answer names the field instead of the form guessing.
 */
function optionalNumber(value: string): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v) as number;
}
const optionalText = (value: string) => (value.trim() === '' ? undefined : value);

export type Converted<T> = { body: T; errors?: undefined } | { body?: undefined; errors: Record<string, string> };

/** The request body for POST /api/offers; the only check made here is that the JSON part parses. */
export function formToOffer(form: OfferForm): Converted<OfferBody> {
  let overrides: OfferBody['affiliate_overrides'];
  try {
    overrides = JSON.parse(form.affiliate_overrides.trim() || '[]') as OfferBody['affiliate_overrides'];
  } catch (err) {
    return { errors: { affiliate_overrides: `is not valid JSON (${(err as Error).message})` } };
  }
  const blocked = form.fraud.blocked_sub_ids
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const body: OfferBody = {
    advertiser_id: form.advertiser_id,
    name: form.name,
    url: form.url,
    currency: form.currency.trim().toUpperCase() as OfferBody['currency'],
    attribution_window_hours: optionalNumber(form.attribution_window_hours),
    default_goal: form.default_goal,
    goals: form.goals.map((g) => ({
      key: g.key,
      name: optionalText(g.name),
      payout: { ...g.payout },
      revenue: { ...g.revenue },
      default_status: g.default_status,
      hold_hours: optionalNumber(g.hold_hours),
      allow_multiple: g.allow_multiple,
    })),
    caps: form.caps.map((c) => ({
      goal: optionalText(c.goal),
      metric: c.metric,
      period: c.period,
      limit: c.limit,
      per_affiliate: c.per_affiliate,
      timezone: c.timezone as Cap['timezone'],
      on_exceed: c.on_exceed,
    })),
    fraud: {
      min_seconds_to_convert: optionalNumber(form.fraud.min_seconds_to_convert),
      max_seconds_to_convert: optionalNumber(form.fraud.max_seconds_to_convert),
      max_conversions_per_ip_per_day: optionalNumber(form.fraud.max_conversions_per_ip_per_day),
      require_same_ip: form.fraud.require_same_ip || undefined,
      blocked_sub_ids: blocked.length > 0 ? blocked : undefined,
      action: form.fraud.action,
    },
    affiliate_overrides: overrides,
    active: form.active === 'true',
  };
  return { body };
}

/** The PATCH body: every field but the advertiser, which an offer keeps for life. */
export function formToOfferPatch(form: OfferForm): Converted<OfferPatch> {
  const converted = formToOffer(form);
  if (!converted.body) return converted;
  const { advertiser_id: _advertiser, ...patch } = converted.body;
  return { body: patch };
}

/**
 * openapi-fetch's response type (its Readable<>) reads the document's Offer, OfferInput's `caps`
 * intersected with `{id}` items, as `{id}[]` alone; the document's own type is the whole offer.
 */
export const asOffer = <R extends { data?: unknown }>(response: R) => response as Omit<R, 'data'> & { data?: Offer };
