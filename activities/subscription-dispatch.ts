import { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { ClaimBatch, ClaimBatchInput, PlannedSubscriptionDelivery } from '../domain/steps';
import { eventFeed, parseCursor } from '../events/feed';
import { FeedWatch } from '../events/feed-watch';
import { SUBSCRIPTION_DELIVERY_PREFIX } from './delivery-targets';
import type { StepDeps } from './deps';
import { onlyDuplicateKeys } from '../models/write-errors';
import { claimSubscriptionEvents, type Claim } from './subscription-claim';

/** How often the process's feed watch looks at the feed: the floor of an event's wait before it is claimed. */
const POLL_MS = 200;
/**
 * How long a waiting claim goes without new events before it reads its subscription again: how
 * soon it notices a resume, an unpause by the breaker, or a deactivation with nothing new in the feed.
 */
const RECHECK_MS = 2_000;
/** How long one claim waits for events before answering with none (one activity per this, idle). */
export const DEFAULT_CLAIM_WAIT_MS = 30_000;

/** A subscription delivery's id: from (subscription, event), so the same claim plans it once. */
export const subscriptionDeliveryId = (subscriptionId: string, eventId: string): string =>
  `${SUBSCRIPTION_DELIVERY_PREFIX}${createHash('sha256').update(`${subscriptionId}:${eventId}`).digest('hex').slice(0, 24)}`;

/** The activity's own context when it runs in a worker (tests call it outside one). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function subscriptionDispatchActivities({ models, now }: StepDeps) {
  const feed = eventFeed(models);
  // One per worker process: every dispatcher waiting here shares its poll (events/feed-watch.ts).
  const watch = new FeedWatch(models, { intervalMs: POLL_MS });

  /** Stores the claimed events' deliveries (idempotent: ids from the event) and returns them in order. */
  async function plan(subscriptionId: string, claim: Pick<Claim, 'events'>): Promise<PlannedSubscriptionDelivery[]> {
    const docs = claim.events.map((e) => ({
      _id: subscriptionDeliveryId(subscriptionId, e.event_id),
      subscription_id: subscriptionId,
      event_id: e.event_id,
      type: (e.body as { type: string }).type,
      sequence: e.sequence,
      body: e.body,
      occurred_at: e.occurred_at,
      status: 'pending',
      run: 0,
      attempt_count: 0,
    }));
    try {
      await models.SubscriptionDelivery.insertMany(docs, { ordered: false });
    } catch (err) {
      // A retried claim: the deliveries an earlier attempt stored are there, which is all we need.
      if (!onlyDuplicateKeys(err)) throw err;
    }
    return docs.map((d) => ({ deliveryId: d._id, sequence: d.sequence }));
  }

  return {
    /**
     * The dispatcher's one step: the next events for the subscription, numbered and stored as
     * deliveries, waiting up to `waitMs` for some (woken by the process's feed watch when the feed
     * grows, and every RECHECK_MS to read the subscription again, which costs no Temporal work; an
     * idle subscription costs one activity per wait).
     *
     * Deterministic under retries: a claim is stored before it is returned (activities/subscription-claim.ts),
     * and a retry that finds the subscription's numbers ahead of `firstSequence` (the earlier attempt
     * stored a claim and died) returns that stored claim, so an event never gets two numbers.
     */
    async claimSubscriptionBatch(input: ClaimBatchInput): Promise<ClaimBatch> {
      const ctx = activityContext();
      const deadline = Date.now() + (input.waitMs ?? DEFAULT_CLAIM_WAIT_MS);
      let cursor = input.after;
      // Whether the feed may hold events past the cursor: at first, and after the watch saw it grow
      // or a pause (events may have come meanwhile). A re-check that found neither only reads the
      // subscription, so an idle one costs one read per RECHECK_MS.
      let mayHaveEvents = true;
      for (;;) {
        const sub = await models.Subscription.findById(input.subscriptionId, {
          active: 1,
          paused: 1,
          paused_until: 1,
          strict_order: 1,
          feed_position: 1,
          last_sequence: 1,
        }).lean();
        if (!sub || !sub.active) return { next: cursor, deliveries: [], strictOrder: false, inactive: true };
        const strictOrder = sub.strict_order === true;
        if ((sub.last_sequence ?? 0) >= input.firstSequence) {
          const stored = await models.SubscriptionClaim.findOne({
            subscription_id: input.subscriptionId,
            'events.sequence': input.firstSequence,
          }).lean<Claim>();
          if (stored) return { next: stored.next, deliveries: await plan(input.subscriptionId, stored), strictOrder };
        }
        // Skip what an earlier attempt already read past with nothing selected.
        if (sub.feed_position !== undefined && sub.feed_position !== null && sub.feed_position > parseCursor(cursor))
          cursor = String(sub.feed_position);
        // Paused (by hand or by the breaker): claim nothing, so nothing piles up in retry workflows meanwhile.
        const paused = sub.paused === true || (sub.paused_until !== null && sub.paused_until !== undefined && sub.paused_until > now());
        if (!paused && mayHaveEvents) {
          const claim = await claimSubscriptionEvents({ models, feed, now }, { ...input, after: cursor });
          if (claim.inactive) return { next: cursor, deliveries: [], strictOrder, inactive: true };
          if (claim.events.length > 0) return { next: claim.next, deliveries: await plan(input.subscriptionId, claim), strictOrder };
          cursor = claim.next;
        }
        if (Date.now() + POLL_MS >= deadline) return { next: cursor, deliveries: [], strictOrder };
        ctx?.heartbeat();
        const waitMs = Math.min(RECHECK_MS, deadline - Date.now());
        // Paused: nothing to claim until the re-check finds it resumed. Otherwise until the feed has
        // something past the cursor (positions, not edges: growth during the claim still wakes it at
        // once), or the re-check is due.
        const woken = paused ? new Promise<boolean>((r) => setTimeout(() => r(true), waitMs)) : watch.waitPast(parseCursor(cursor), waitMs);
        // Ends early (throws) when the activity is cancelled, e.g. the worker shutting down.
        mayHaveEvents = await (ctx ? Promise.race([woken, ctx.cancelled]) : woken);
      }
    },
  };
}
