import type { paths, components } from '../../api/schema';
import { fromLines, toLines } from './lines';
import { formToTarget, noTarget, targetToForm, type TargetForm } from './trafficback-target';

/**
 * The offer form's state: the API's request shape, with text where the API takes numbers (what
 * the user typed goes to the API as typed, so its error names the field) and some fields edited as
 * text: sub id lists one per line, affiliate overrides as JSON (rarely used), the expiry as a
 * datetime-local value in the browser's zone.
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

/** One affiliate's trafficback target on the offer (wins over the offer's own). */
export interface AffiliateTargetForm {
  affiliate_id: string;
  target: TargetForm;
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
  /** Where clicks the offer cannot take go: its own target (type '' for the global one) and per-affiliate ones. */
  trafficback: { target: TargetForm; affiliates: AffiliateTargetForm[] };
  /** A datetime-local value in the browser's zone; empty: never expires. */
  expires_at: string;
  /** One per line. */
  blocked_click_subs: string;
  duplicate_click_seconds: string;
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

/** A new per-affiliate row: most fallbacks are a URL, so that is where it starts. */
export const newAffiliateTarget = (): AffiliateTargetForm => ({ affiliate_id: '', target: { ...noTarget(), type: 'url' } });

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
  trafficback: { target: noTarget(), affiliates: [] },
  expires_at: '',
  blocked_click_subs: '',
  duplicate_click_seconds: '',
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
    trafficback: {
      target: targetToForm(offer.trafficback?.target),
      affiliates: (offer.trafficback?.affiliates ?? []).map((a) => ({ affiliate_id: a.affiliate_id, target: targetToForm(a.target) })),
    },
    expires_at: toLocalInput(offer.expires_at),
    blocked_click_subs: toLines(offer.blocked_click_subs),
    duplicate_click_seconds: text(offer.duplicate_click_seconds),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An API instant as a datetime-local value in the browser's zone (with seconds only when it has some). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const minute = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() || d.getMilliseconds() ? `${minute}:${pad(d.getSeconds())}` : minute;
}

/** A datetime-local value (the browser's zone) as an ISO instant; text that is no date goes as typed, for the API to name. */
export function fromLocalInput(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  const d = new Date(v); // a date-time without an offset is local time
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
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
  const blocked = fromLines(form.fraud.blocked_sub_ids);
  const blockedClicks = fromLines(form.blocked_click_subs);
  const target = formToTarget(form.trafficback.target);
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
    trafficback: {
      ...(target ? { target } : {}),
      // A row always has a type (its select has no "none"); were it missing, the API would name the row's target.
      affiliates: form.trafficback.affiliates.map((a) => ({ affiliate_id: a.affiliate_id, target: formToTarget(a.target)! })),
    },
    expires_at: fromLocalInput(form.expires_at),
    blocked_click_subs: blockedClicks.length > 0 ? blockedClicks : undefined,
    duplicate_click_seconds: optionalNumber(form.duplicate_click_seconds),
  };
  return { body };
}

/**
 * The PATCH body: the top-level fields that differ from `saved` (the form as last read or saved),
 * or every field when no `saved` is given; never the advertiser, which an offer keeps for life.
 * PATCH merges top-level fields, so a field emptied here goes as the API's "unset" (null, or an
 * empty list) rather than being left out.
 */
export function formToOfferPatch(form: OfferForm, saved?: OfferForm): Converted<OfferPatch> {
  const converted = formToOffer(form);
  if (!converted.body) return converted;
  const { advertiser_id: _advertiser, ...all } = converted.body;
  const patch: OfferPatch = {
    ...all,
    expires_at: all.expires_at ?? null,
    duplicate_click_seconds: all.duplicate_click_seconds ?? null,
    blocked_click_subs: all.blocked_click_subs ?? [],
  };
  if (!saved) return { body: patch };
  const changed = (Object.keys(patch) as (keyof OfferPatch & keyof OfferForm)[]).filter(
    (key) => JSON.stringify(form[key]) !== JSON.stringify(saved[key]),
  );
  return { body: Object.fromEntries(changed.map((key) => [key, patch[key]])) as OfferPatch };
}

/**
 * openapi-fetch's response type (its Readable<>) reads the document's Offer, OfferInput's `caps`
 * intersected with `{id}` items, as `{id}[]` alone; the document's own type is the whole offer.
 */
export const asOffer = <R extends { data?: unknown }>(response: R) => response as Omit<R, 'data'> & { data?: Offer };
