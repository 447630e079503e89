import { LRUCache } from 'lru-cache';
import type { Models } from '../models';

export interface ClickTarget {
  offer: { _id: string; url: string; advertiser_id: string; active: boolean } | null;
  affiliate: { _id: string; active: boolean } | null;
}

/**
 * /click sits in a browser's path and reads the same few offers and affiliates over and over,
 * so they are cached for a few seconds. This process's admin routes clear the cache on every
 * change; other API processes see a change within `ttlMs`. Concurrent misses for one key
 * share a single database read.
 */
export function clickTargetCache(models: Models, ttlMs = 5_000) {
  const cache = new LRUCache<string, ClickTarget>({
    max: 10_000,
    ttl: ttlMs,
    fetchMethod: async (key) => {
      const [offerId, affiliateId] = JSON.parse(key) as [string, string];
      const [offer, affiliate] = await Promise.all([
        models.Offer.findById(offerId, { url: 1, advertiser_id: 1, active: 1 }).lean<ClickTarget['offer']>(),
        models.Affiliate.findById(affiliateId, { active: 1 }).lean<ClickTarget['affiliate']>(),
      ]);
      return { offer, affiliate };
    },
  });
  return {
    /** A fresh cached pair as it is (no promise: most clicks hit), else a promise of the read. */
    get: (offerId: string, affiliateId: string): ClickTarget | Promise<ClickTarget> => {
      const key = JSON.stringify([offerId, affiliateId]);
      return cache.get(key) ?? (cache.fetch(key) as Promise<ClickTarget>);
    },
    /** Called by this process's admin routes on every offer or affiliate change. */
    clear: () => cache.clear(),
  };
}

export type ClickTargets = ReturnType<typeof clickTargetCache>;
