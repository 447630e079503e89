import { LRUCache } from 'lru-cache';
import type { Cap } from '../domain/offer';
import { defaultGlobalTarget, type ClickAffiliate, type ClickOffer, type TrafficbackTarget } from '../domain/trafficback';
import type { Models } from '../models';

/** What the click path reads of an offer: where to send the click, and what can turn it away. */
export interface ClickTargetOffer extends ClickOffer {
  currency: string;
  default_goal: string;
  caps: Cap[];
  duplicate_click_seconds?: number;
}

const offerFields = {
  url: 1,
  advertiser_id: 1,
  active: 1,
  expires_at: 1,
  trafficback: 1,
  blocked_click_subs: 1,
  currency: 1,
  default_goal: 1,
  caps: 1,
  duplicate_click_seconds: 1,
} as const;

type StoredOffer = Omit<ClickTargetOffer, 'blocked_sub_ids'> & { blocked_click_subs?: string[] };

/** An LRU of one kind of record whose reads return the value itself when cached (most clicks), else a promise. */
function readThrough<V extends object>(ttlMs: number, read: (id: string) => Promise<V>) {
  const cache = new LRUCache<string, V>({ max: 10_000, ttl: ttlMs, fetchMethod: (id) => read(id) });
  return {
    get: (id: string): V | Promise<V> => cache.get(id) ?? (cache.fetch(id) as Promise<V>),
    clear: () => cache.clear(),
  };
}

/** An absent record, cached like a present one: a click flood on an unknown id must not read the database per click. */
const NONE = { none: true } as const;
type Maybe<V> = V | typeof NONE;
const orNull = <V extends object>(v: Maybe<V>): V | null => ('none' in v ? null : v);

/**
 * /click sits in a browser's path and reads the same few offers and affiliates over and over,
 * so they (and the global trafficback target) are cached for a few seconds. This process's admin
 * routes clear the cache on every change; other API processes see a change within `ttlMs`.
 * Concurrent misses for one key share a single database read.
 */
/** How stale another API process's view of an offer, an affiliate or the global trafficback target may be. */
export const CLICK_TARGET_TTL_MS = 5_000;

export function clickTargetCache(models: Models, ttlMs = CLICK_TARGET_TTL_MS) {
  const offers = readThrough<Maybe<ClickTargetOffer>>(ttlMs, async (id) => {
    const doc = await models.Offer.findById(id, offerFields).lean<StoredOffer>();
    if (!doc) return NONE;
    const { blocked_click_subs, ...offer } = doc;
    return { ...offer, blocked_sub_ids: blocked_click_subs ?? [] };
  });
  const affiliates = readThrough<Maybe<ClickAffiliate>>(ttlMs, async (id) => {
    return (await models.Affiliate.findById(id, { active: 1 }).lean<ClickAffiliate>()) ?? NONE;
  });
  const settings = readThrough<{ target: TrafficbackTarget }>(ttlMs, async () => {
    const stored = await models.Setting.findById(GLOBAL_TRAFFICBACK).lean<{ value: { target: TrafficbackTarget } }>();
    return { target: stored?.value.target ?? defaultGlobalTarget };
  });
  const then = <A, B>(v: A | Promise<A>, f: (a: A) => B): B | Promise<B> => (v instanceof Promise ? v.then(f) : f(v));
  return {
    offer: (id: string) => then(offers.get(id), orNull),
    affiliate: (id: string) => then(affiliates.get(id), orNull),
    globalTarget: () => then(settings.get(GLOBAL_TRAFFICBACK), (s) => s.target),
    /** Called by this process's admin routes on every offer, affiliate or trafficback change. */
    clear: () => {
      offers.clear();
      affiliates.clear();
      settings.clear();
    },
  };
}

/** The Setting document that holds the global trafficback target. */
export const GLOBAL_TRAFFICBACK = 'trafficback';

export type ClickTargets = ReturnType<typeof clickTargetCache>;
