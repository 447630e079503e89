import type { Models } from '../models';

/** A subscription delivery in one of these is over: nothing will touch it again unless redelivered. */
const ENDED = ['succeeded', 'failed', 'dead_lettered'];

/**
 * Deletes what the event system keeps past its retention (EVENTS_RETENTION_DAYS): the events, and
 * the subscriptions' records of sending them, so neither grows for ever.
 *
 * - events that occurred before `cutoff` (the feed skips the positions they leave);
 * - subscription deliveries that ended and were last changed before it (one still pending, being
 *   delivered, or redelivered since is kept, whatever its age), with their attempt rows older than
 *   it (a kept delivery keeps its newer attempts);
 * - claims made before it: a claim is only read again by a retry of the step that made it, and
 *   the dispatcher's durable cursor moved past it in that same step.
 *
 * Idempotent and safe to race: every part is a delete by age.
 */
export async function deleteExpiredEventData(models: Models, cutoff: Date): Promise<void> {
  await Promise.all([
    models.Event.deleteMany({ occurred_at: { $lt: cutoff } }),
    models.SubscriptionDelivery.deleteMany({ status: { $in: ENDED }, updated_at: { $lt: cutoff } }),
    models.SubscriptionAttempt.deleteMany({ at: { $lt: cutoff } }),
    models.SubscriptionClaim.deleteMany({ claimed_at: { $lt: cutoff } }),
  ]);
}
