import type { Models } from '../models';

/** A subscription delivery in one of these is over: nothing will touch it again unless redelivered. */
const ENDED = ['succeeded', 'failed', 'dead_lettered'];

/**
 * What the event system keeps past its retention (EVENTS_RETENTION_DAYS), per collection, as
 * filters: the rules deleteExpiredEventData applies at once and the retention sweep
 * (retention/sweep.ts) applies in batches.
 *
 * - events that occurred before `cutoff` (the feed skips the positions they leave);
 * - subscription deliveries that ended and were last changed before it (one still pending, being
 *   delivered, or redelivered since is kept, whatever its age), with their attempt rows older than
 *   it (a kept delivery keeps its newer attempts);
 * - claims made before it: a claim is only read again by a retry of the step that made it, and
 *   the dispatcher's durable cursor moved past it in that same step.
 */
export function expiredEventFilters(cutoff: Date) {
  return {
    Event: { occurred_at: { $lt: cutoff } },
    SubscriptionDelivery: { status: { $in: ENDED }, updated_at: { $lt: cutoff } },
    SubscriptionAttempt: { at: { $lt: cutoff } },
    SubscriptionClaim: { claimed_at: { $lt: cutoff } },
  } satisfies Partial<Record<keyof Models, Record<string, unknown>>>;
}

/**
 * Deletes what the event system keeps past its retention (expiredEventFilters), so neither the
 * events nor the subscriptions' records of sending them grow for ever. Idempotent and safe to
 * race: every part is a delete by age.
 */
export async function deleteExpiredEventData(models: Models, cutoff: Date): Promise<void> {
  const expired = expiredEventFilters(cutoff);
  await Promise.all([
    models.Event.deleteMany(expired.Event),
    models.SubscriptionDelivery.deleteMany(expired.SubscriptionDelivery),
    models.SubscriptionAttempt.deleteMany(expired.SubscriptionAttempt),
    models.SubscriptionClaim.deleteMany(expired.SubscriptionClaim),
  ]);
}
