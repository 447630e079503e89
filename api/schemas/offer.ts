import { z } from 'zod';
import { isValidTimeZone } from '../../domain/cap-window';
import { defaultReasonDetail, reasonDetailLevels } from '../access/reason-detail';
import { offerUrlMacros, unknownMacros } from '../../domain/click-url';
import type { Cap } from '../../domain/offer';
import { offerTrafficback } from './trafficback';
import { currencyCode, decimalString, idParam, isHttpUrlTemplate, name, timestamps, timeZone, urlTemplatePattern } from './common';

const key = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'must be 1-64 letters, digits, "_", "." or "-"')
  // Docs only: the generator would print the /i flag into the pattern; this is the same set spelt out.
  .meta({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', example: 'sale' });

const amountRule = z.object({ type: z.enum(['fixed', 'percent']), amount: decimalString });

const goalSchema = z.object({
  key,
  name: name.optional(),
  payout: amountRule,
  revenue: amountRule,
  default_status: z.enum(['approved', 'pending']).default('approved'),
  // Fractions allowed (0.5 = 30 min); tests use a few seconds.
  hold_hours: z
    .number()
    .positive()
    .max(24 * 365)
    .optional(),
  allow_multiple: z.boolean().default(false),
});

const capSchema = z.object({
  goal: key.optional(),
  metric: z.enum(['conversions', 'payout']),
  period: z.enum(['day', 'week', 'month', 'total']),
  limit: decimalString,
  per_affiliate: z.boolean().default(false),
  timezone: timeZone(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  on_exceed: z.enum(['reject', 'hold']).default('reject'),
});

const fraudSchema = z
  .object({
    min_seconds_to_convert: z.number().int().min(0).optional(),
    max_seconds_to_convert: z.number().int().min(1).optional(),
    max_conversions_per_ip_per_day: z.number().int().min(1).optional(),
    require_same_ip: z.boolean().optional(),
    blocked_sub_ids: z.array(z.string().trim().min(1).max(200)).max(1000).optional(),
    action: z.enum(['reject', 'hold']).default('reject'),
  })
  .refine(
    (f) =>
      f.min_seconds_to_convert === undefined ||
      f.max_seconds_to_convert === undefined ||
      f.min_seconds_to_convert < f.max_seconds_to_convert,
    {
      message: 'min_seconds_to_convert must be below max_seconds_to_convert',
      path: ['min_seconds_to_convert'],
    },
  );

const overrideSchema = z.object({ affiliate_id: idParam, goal: key, payout: amountRule });

/**
 * A cap's identity is what it counts, not its limit: changing the limit or the action keeps
 * the counters of the current window; changing what is counted starts new ones.
 */
export function capId(cap: Omit<Cap, 'id'>): string {
  // Goal keys and IANA zone names contain no ':', so the joined form is unambiguous and readable.
  return [cap.metric, cap.period, cap.goal ?? '*', cap.per_affiliate ? 'affiliate' : 'offer', cap.timezone ?? 'UTC'].join(':');
}

const offerFields = z.object({
  advertiser_id: idParam,
  name,
  url: z
    .string()
    .trim()
    .max(2000)
    .refine(isHttpUrlTemplate, 'must be an http(s) URL')
    .meta({
      description: 'the landing page; {click_id}, {offer_id}, {aff_id} and {sub1}…{sub5} are filled in, URL-encoded',
      pattern: urlTemplatePattern(offerUrlMacros),
      example: 'https://shop.example/landing?click={click_id}&src={sub1}',
    }),
  currency: currencyCode,
  attribution_window_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24 * 30),
  default_goal: key,
  goals: z.array(goalSchema).min(1, 'an offer needs at least one goal').max(100),
  caps: z.array(capSchema).max(50).default([]),
  fraud: fraudSchema.default({ action: 'reject' }),
  affiliate_overrides: z.array(overrideSchema).max(10_000).default([]),
  partner_reason_detail: z
    .enum(reasonDetailLevels)
    .default(defaultReasonDetail)
    .meta({
      description:
        'what affiliates see of why a conversion was rejected or held: full (reason codes and fraud evidence), ' +
        'category (fraud, attribution, cap, duplicate, advertiser, hold_period, offer, other) or none',
    }),
  advertiser_can_review: z
    .boolean()
    .default(false)
    .meta({ description: "whether the offer's advertiser may approve or decline its pending conversions itself" }),
  active: z.boolean().default(true),
  trafficback: offerTrafficback.default({ affiliates: [] }).meta({
    description: 'where clicks go when this offer cannot take them (paused, expired, a full cap, a blocked sub, a duplicate click)',
  }),
  expires_at: z.iso
    .datetime()
    .nullable()
    .optional()
    .meta({ description: 'clicks after this instant go to trafficback as offer_expired; null or unset: never' }),
  blocked_click_subs: z
    .array(z.string().trim().min(1).max(200))
    .max(1000)
    .optional()
    .meta({
      description:
        'clicks carrying one of these sub ids (in any of sub1…sub5) go to trafficback as blocked_sub; ' +
        'fraud.blocked_sub_ids instead rejects (or holds) the conversions of such clicks',
    }),
  duplicate_click_seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .nullable()
    .optional()
    .meta({
      description: 'a second click of one IP for this offer and affiliate within this many seconds goes to trafficback as duplicate_click',
    }),
});

/** The whole offer, checked across fields; caps get their ids here. */
export const offerSchema = offerFields
  .superRefine((offer, ctx) => {
    const goals = new Set<string>();
    offer.goals.forEach((goal, i) => {
      if (goals.has(goal.key)) ctx.addIssue({ code: 'custom', path: ['goals', i, 'key'], message: `duplicate goal key "${goal.key}"` });
      goals.add(goal.key);
    });
    if (!goals.has(offer.default_goal))
      ctx.addIssue({
        code: 'custom',
        path: ['default_goal'],
        message: `must be one of the goals' keys (${[...goals].join(', ')})`,
      });
    offer.caps.forEach((cap, i) => {
      if (cap.goal && !goals.has(cap.goal))
        ctx.addIssue({ code: 'custom', path: ['caps', i, 'goal'], message: `unknown goal "${cap.goal}"` });
      if (cap.metric === 'conversions' && !/^\d+$/.test(cap.limit))
        ctx.addIssue({ code: 'custom', path: ['caps', i, 'limit'], message: 'a conversions cap takes a whole number' });
    });
    const capIds = offer.caps.map(capId);
    capIds.forEach((id, i) => {
      if (capIds.indexOf(id) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['caps', i],
          message: 'another cap already counts the same metric, period, goal, scope and time zone',
        });
    });
    offer.affiliate_overrides.forEach((o, i) => {
      if (!goals.has(o.goal))
        ctx.addIssue({ code: 'custom', path: ['affiliate_overrides', i, 'goal'], message: `unknown goal "${o.goal}"` });
    });
    // Macros may fill the path, query and fragment, never the scheme or host: a value there
    // would send the browser to a host the advertiser never named (or to no valid URL at all).
    const authority = /^[a-z]+:\/\/[^/?#]*/i.exec(offer.url)?.[0] ?? '';
    if (authority.includes('{')) ctx.addIssue({ code: 'custom', path: ['url'], message: 'macros are not allowed in the scheme or host' });
    // A template's <placeholder> (an MMP link without the app's own part) left in by mistake.
    if (/[<>]/.test(offer.url))
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'has a <placeholder> left in it: replace it with your own value' });
    const unknown = unknownMacros(offer.url);
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `unknown macros ${unknown.join(', ')}; known: {click_id}, {offer_id}, {aff_id}, {sub1}…{sub5}`,
      });
  })
  .transform((offer) => ({ ...offer, caps: offer.caps.map((cap) => ({ ...cap, id: capId(cap) })) }));

export type OfferInput = z.infer<typeof offerSchema>;

/** PATCH takes any subset of the fields; the merged offer is validated as a whole. */
export const offerUpdateSchema = offerFields.partial().omit({ advertiser_id: true }).strict();

// The stored offer is the validated request (defaults applied) plus what the server adds.
export const offer = z
  .intersection(
    offerSchema.meta({ id: 'OfferInput' }),
    z.object({
      id: idParam,
      caps: z.array(z.object({ id: z.string().meta({ description: 'metric:period:goal:scope:timezone' }) })),
      ...timestamps,
    }),
  )
  .meta({ id: 'Offer' });
