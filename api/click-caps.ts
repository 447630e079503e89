import { LRUCache } from 'lru-cache';
import { capCounterId, capWindow, capsFor } from '../domain/cap-window';
import { toMinor } from '../domain/money';
import type { Cap } from '../domain/offer';
import type { TurnedAway } from '../domain/trafficback';
import type { Models } from '../models';
import { createLogger } from '../observability/logger';
import type { ClickTargetOffer } from './click-targets';

const log = createLogger({ level: 'warn', service: 'api' });

/**
 * How stale the click path's view of a cap counter may be. A conversion's reservation (the
 * authority: activities/caps.ts) turns clicks away in this process at most this long after it
 * was written, plus one counter read. README "Trafficback" states the bound.
 */
export const CAP_STATE_TTL_MS = 1_000;

interface CounterState {
  reserved: number;
  readAt: number;
  refreshing?: boolean;
}

/**
 * Click-time cap state: whether a cap of the offer is full in the current window. Counters are
 * read at most once per `ttlMs` per process, and a stale one keeps answering while its re-read
 * runs (stale-while-revalidate), so a click waits for the database only the first time a counter
 * is seen. The caps that count the offer's default goal (or every goal) decide: a click is for
 * the offer's landing page, whose first conversion is that goal.
 */
export function clickCapState(models: Models, ttlMs = CAP_STATE_TTL_MS, clock: () => number = () => performance.now()) {
  const counters = new LRUCache<string, CounterState>({ max: 50_000 });
  const pending = new Map<string, Promise<void>>();
  // A window is the same for every click until it ends: computing it is the dearest part otherwise.
  const windows = new Map<string, { key: string; endMs: number }>();

  const windowKey = (cap: Cap, at: Date): string => {
    const id = `${cap.period}\u0000${cap.timezone ?? 'UTC'}`;
    const known = windows.get(id);
    if (known && at.getTime() < known.endMs) return known.key;
    const w = capWindow(cap.period, cap.timezone, at);
    // A window whose start is later than `at` cannot be reused for `at` (a clock set back): keep it uncached.
    if (w.start === null || Date.parse(w.start) <= at.getTime())
      windows.set(id, { key: w.key, endMs: w.end ? Date.parse(w.end) : Infinity });
    return w.key;
  };

  const read = (ids: string[]): Promise<void> => {
    const missing = ids.filter((id) => !pending.has(id));
    if (missing.length > 0) {
      const started = clock();
      const done = models.CapCounter.collection
        .find<{ _id: string; reserved: number }>({ _id: { $in: missing } } as never, { projection: { reserved: 1 } })
        .toArray()
        .then((docs) => {
          const found = new Map(docs.map((d) => [d._id, d.reserved]));
          // A counter not created yet has nothing reserved.
          for (const id of missing) counters.set(id, { reserved: found.get(id) ?? 0, readAt: started });
        })
        .finally(() => {
          for (const id of missing) pending.delete(id);
        });
      for (const id of missing) pending.set(id, done);
    }
    return Promise.all(ids.map((id) => pending.get(id))).then(() => undefined);
  };

  return {
    /** The first full cap as a reason, else null; a promise only when a counter has not been read yet. */
    fullCap(offer: ClickTargetOffer, affiliateId: string, at: Date): TurnedAway | null | Promise<TurnedAway | null> {
      if (offer.caps.length === 0) return null;
      const checks: { cap: Cap; counterId: string; limit: number }[] = [];
      for (const cap of capsFor(offer.caps, offer.default_goal)) {
        const counterId = capCounterId({
          offerId: offer._id,
          capId: cap.id,
          windowKey: windowKey(cap, at),
          ...(cap.per_affiliate ? { affiliateId } : {}),
        });
        const limit = cap.metric === 'conversions' ? Number(cap.limit) : toMinor(cap.limit, offer.currency);
        checks.push({ cap, counterId, limit });
      }
      const decide = (): TurnedAway | null => {
        for (const c of checks)
          if ((counters.get(c.counterId)?.reserved ?? 0) >= c.limit) return { reason: 'cap_reached', cap_id: c.cap.id };
        return null;
      };
      const unread: string[] = [];
      const stale: string[] = [];
      const now = clock();
      for (const c of checks) {
        const state = counters.get(c.counterId);
        if (!state) unread.push(c.counterId);
        else if (now - state.readAt >= ttlMs && !state.refreshing) stale.push(c.counterId);
      }
      if (stale.length > 0) {
        for (const id of stale) counters.get(id)!.refreshing = true;
        read(stale).catch((err: unknown) => {
          for (const id of stale) {
            const state = counters.get(id);
            if (state) state.refreshing = false; // the next click tries again
          }
          log.warn({ err }, 'click-time cap state: a counter re-read failed; clicks use the last state read');
        });
      }
      return unread.length > 0 ? read(unread).then(decide) : decide();
    },
  };
}

export type ClickCapState = ReturnType<typeof clickCapState>;
