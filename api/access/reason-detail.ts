import type { Context } from 'koa';
import type { Models } from '../../models';
import type { Principal } from './principal';

/**
 * How much an affiliate learns of why a conversion was rejected or held, set per offer
 * (`partner_reason_detail`): `full` (the reason codes and the fraud evidence, as ops see them),
 * `category` (only which kind of check it was: a fraudster who learns "too_fast, minimum 30 s"
 * learns how to slip past the rule), or `none`. Advertisers see the full codes, as their receipt
 * (GET /postback/status) always has: they are the ones paying for the traffic.
 */
export const reasonDetailLevels = ['full', 'category', 'none'] as const;
export type ReasonDetail = (typeof reasonDetailLevels)[number];
export const defaultReasonDetail: ReasonDetail = 'category';

/** The category each reason code is shown as at `category` detail (README, "Realms, keys and sign-in links"). */
export const reasonCategories: Readonly<Record<string, string>> = {
  too_fast: 'fraud',
  too_slow: 'fraud',
  ip_limit_exceeded: 'fraud',
  ip_mismatch: 'fraud',
  blocked_sub_id: 'fraud',
  offer_inactive: 'offer',
  click_offer_mismatch: 'attribution',
  attribution_window_expired: 'attribution',
  unknown_goal: 'attribution',
  amount_required: 'attribution',
  currency_mismatch: 'attribution',
  cap_reached: 'cap',
  duplicate_conversion: 'duplicate',
  advertiser_declined: 'advertiser',
  hold_period: 'hold_period',
  mmp_rejected: 'fraud',
  mmp_post_attribution_fraud: 'fraud',
  mmp_attribution_updated: 'attribution',
};
const categories = new Set([...Object.values(reasonCategories), 'other']);
/** A code's category; a category stays itself, so cutting twice changes nothing. */
export const categoryOf = (code: string): string => reasonCategories[code] ?? (categories.has(code) ? code : 'other');

/** Reason codes at a detail level: the codes, their categories (each once, in order), or none. */
export function codesAt(level: ReasonDetail, codes: readonly string[]): string[] {
  if (level === 'full') return [...codes];
  if (level === 'none') return [];
  return [...new Set(codes.map(categoryOf))];
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function offerIdsIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) offerIdsIn(v, into);
  else if (isPlain(value)) {
    if (typeof value.offer_id === 'string') into.add(value.offer_id);
    for (const v of Object.values(value)) if (typeof v === 'object') offerIdsIn(v, into);
  }
  return into;
}

/**
 * Rewrites every object that carries reason codes, at the detail level of the offer it (or the
 * object holding it, for a status history) belongs to: `reason_codes` mapped, and below `full` the
 * fraud evidence (`fraud.reasons`) and the free-text `reason` of a status change dropped, since
 * they spell out the rule that fired.
 */
function rewrite(value: unknown, levelOf: (offerId: string) => ReasonDetail, inherited: ReasonDetail): unknown {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, levelOf, inherited));
  if (!isPlain(value)) return value;
  const level = typeof value.offer_id === 'string' ? levelOf(value.offer_id) : inherited;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (level !== 'full' && key === 'reason' && Array.isArray(value.reason_codes)) continue;
    if (key === 'reason_codes' && Array.isArray(v)) out[key] = codesAt(level, v.map(String));
    else if (key === 'fraud' && level !== 'full' && isPlain(v)) {
      if (level === 'category' && typeof v.verdict === 'string') out[key] = { verdict: v.verdict };
    } else out[key] = typeof v === 'object' ? rewrite(v, levelOf, level) : v;
  }
  return out;
}

/** The detail level of each offer (missing offers and unset fields take the default). */
export async function reasonDetailOf(models: Models, offerIds: Iterable<string>): Promise<(offerId: string) => ReasonDetail> {
  const ids = [...new Set(offerIds)];
  const docs =
    ids.length === 0
      ? []
      : await models.Offer.find({ _id: { $in: ids } }, { partner_reason_detail: 1 }).lean<
          { _id: string; partner_reason_detail?: ReasonDetail }[]
        >();
  const levels = new Map(docs.map((d) => [d._id, d.partner_reason_detail ?? defaultReasonDetail]));
  return (offerId) => levels.get(offerId) ?? defaultReasonDetail;
}

/**
 * The one place reason codes are cut down for a partner: every JSON answer (api/route.ts), the CSV
 * export and the live stream pass their rows through it. Staff and advertisers get them unchanged.
 */
export async function withReasonDetail<T>(models: Models, principal: Principal, body: T): Promise<T> {
  return reasonDetailCutter(models, principal)(body);
}

/**
 * The same for a stream of rows (CSV, live events): offers' levels are read once each, for as
 * long as the stream lasts, so a level changed meanwhile applies from the next export or stream.
 */
export function reasonDetailCutter(models: Models, principal: Principal): <T>(body: T) => Promise<T> {
  if (principal.realm !== 'affiliate') return async (body) => body;
  const known = new Map<string, ReasonDetail>();
  return async (body) => {
    const missing = [...offerIdsIn(body, new Set())].filter((id) => !known.has(id));
    if (missing.length > 0) {
      const levelOf = await reasonDetailOf(models, missing);
      for (const id of missing) known.set(id, levelOf(id));
    }
    return rewrite(body, (id) => known.get(id) ?? defaultReasonDetail, defaultReasonDetail) as typeof body;
  };
}

/** A handler that built its answer at the right detail itself (the timeline) says so, and the route leaves it. */
export const markReasonDetailApplied = (ctx: Context): void => {
  (ctx.state as { reasonDetailApplied?: boolean }).reasonDetailApplied = true;
};
export const reasonDetailApplied = (ctx: Context): boolean => (ctx.state as { reasonDetailApplied?: boolean }).reasonDetailApplied === true;
