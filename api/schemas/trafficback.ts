import { z } from 'zod';
import { trafficbackUrlMacros, unknownTrafficbackMacros } from '../../domain/click-url';
import { trafficbackReasons } from '../../domain/trafficback';
import { idParam, isHttpUrlTemplate, urlTemplatePattern } from './common';

const targetUrl = z
  .string()
  .trim()
  .max(2000)
  .refine(isHttpUrlTemplate, 'must be an http(s) URL')
  .refine((url) => !(/^[a-z]+:\/\/[^/?#]*/i.exec(url)?.[0] ?? '').includes('{'), 'macros are not allowed in the scheme or host')
  .superRefine((url, ctx) => {
    const unknown = unknownTrafficbackMacros(url);
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `unknown macros ${unknown.join(', ')}; known: ${trafficbackUrlMacros.map((m) => `{${m}}`).join(', ')}`,
      });
  })
  .meta({
    description: 'where the click goes; {click_id}, {offer_id}, {aff_id}, {sub1}…{sub5} and {reason} are filled in, URL-encoded',
    pattern: urlTemplatePattern(trafficbackUrlMacros),
    example: 'https://fallback.example/?click={click_id}&why={reason}',
  });

/** Where a click goes when its offer cannot take it (domain/trafficback.ts). */
export const trafficbackTarget = z
  .discriminatedUnion('type', [
    z
      .object({ type: z.literal('offer'), offer_id: idParam.meta({ description: 'the fallback offer' }) })
      .meta({ description: 'another offer, through a child click credited to the same affiliate' }),
    z.object({ type: z.literal('url'), url: targetUrl }).meta({ description: 'a URL (302)' }),
    z.object({ type: z.literal('blank') }).meta({ description: 'a blank page (200)' }),
    z.object({ type: z.literal('not_found') }).meta({ description: 'a 404 whose `error` is the reason' }),
  ])
  .meta({ id: 'TrafficbackTarget' });

/** An offer's trafficback: its own target, and per-affiliate ones that win over it. */
export const offerTrafficback = z
  .object({
    target: trafficbackTarget.optional().meta({ description: "unset: the network's global target" }),
    affiliates: z
      .array(z.object({ affiliate_id: idParam, target: trafficbackTarget }))
      .max(10_000)
      .default([])
      .meta({ description: "per affiliate on this offer; wins over the offer's target" }),
  })
  .superRefine((tb, ctx) => {
    const seen = new Set<string>();
    tb.affiliates.forEach((a, i) => {
      if (seen.has(a.affiliate_id))
        ctx.addIssue({ code: 'custom', path: ['affiliates', i, 'affiliate_id'], message: `affiliate "${a.affiliate_id}" is listed twice` });
      seen.add(a.affiliate_id);
    });
  })
  .meta({ id: 'OfferTrafficback' });

/** PATCH /api/trafficback: the network's last resort. */
export const globalTrafficback = z
  .object({ target: trafficbackTarget })
  .meta({ id: 'GlobalTrafficback', description: 'where clicks go when neither the affiliate on the offer nor the offer names a target' });

export const globalTrafficbackOut = z
  .object({ target: trafficbackTarget, updated_at: z.iso.datetime().nullable().meta({ description: 'null: never set (the default 404)' }) })
  .meta({ id: 'GlobalTrafficbackSetting' });

export const trafficbackReason = z.enum(trafficbackReasons).meta({ id: 'TrafficbackReason' });
