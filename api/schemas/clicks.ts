import { z } from 'zod';
import { at, idParam } from './common';
import { trafficbackReason } from './trafficback';

const hop = z.object({
  offer_id: z.string(),
  reason: trafficbackReason,
  level: z.enum(['affiliate', 'offer', 'global']).meta({ description: 'which level chose where the click went next' }),
  cap_id: z.string().optional(),
  sub: z.string().optional(),
});

/** What a trafficback click records: why, the chain it took, where it ended. */
export const clickTrafficback = z
  .object({
    reason: trafficbackReason,
    cap_id: z.string().optional().meta({ description: 'cap_reached: the full cap' }),
    sub: z.string().optional().meta({ description: 'blocked_sub: the sub that matched' }),
    chain: z.array(hop).meta({ description: 'every offer that turned the click away, in order' }),
    to: z.enum(['offer', 'url', 'blank', 'not_found']),
    to_offer_id: z.string().optional(),
    child_click_id: z.string().optional().meta({ description: "the fallback offer's click, credited to the same affiliate" }),
    url: z.string().optional(),
    stopped: z.enum(['cycle', 'max_hops']).optional().meta({ description: 'why the chain ended before a target of its own' }),
    at: at,
  })
  .meta({ id: 'ClickTrafficback' });

export const click = z
  .object({
    id: z.string(),
    offer_id: z.string().meta({ description: 'as asked for: on a trafficback click it may name no offer' }),
    affiliate_id: z.string(),
    advertiser_id: z.string().optional(),
    subs: z.record(z.string(), z.string()),
    ip: z.string().optional(),
    user_agent: z.string().optional(),
    created_at: at,
    test: z.boolean(),
    trafficback: clickTrafficback.optional(),
    parent_click_id: z.string().optional().meta({ description: 'a child click: the trafficback click it continues' }),
    trafficback_hops: z.number().int().optional(),
  })
  .meta({ id: 'Click' });

export const trafficbackClicksQuery = z.object({
  reason: trafficbackReason.optional(),
  offer_id: idParam.optional().meta({ description: 'the offer asked for (the one that turned the click away)' }),
  affiliate_id: idParam.optional(),
  before: idParam.optional().meta({ description: 'next_before of the previous page' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const trafficbackClicksPage = z
  .object({
    data: z.array(click),
    next_before: z.string().nullable().meta({ description: 'pass as `before` for the next (older) page; null on the last' }),
  })
  .meta({ id: 'TrafficbackClicks' });
