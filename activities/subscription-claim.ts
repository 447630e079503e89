import { optInTypes } from '../events/catalogue';
import { parseCursor, type EventFeed } from '../events/feed';
import type { Models } from '../models';
import type { Filter } from '../subscriptions/filter';
import { selectEvent } from '../subscriptions/select';

/** One page of the feed at most per claim: bounds the claim document and one activity's work. */
export const CLAIM_LIMIT = 200;

export interface ClaimInput {
  subscriptionId: string;
  /** At most this many feed events are read (default CLAIM_LIMIT). */
  limit?: number;
  /** The feed cursor to read after: the dispatcher's own state, so a lost result is claimed again from the same place. */
  after: string;
  /** The sequence number the first selected event gets (1 for a new subscription). */
  firstSequence: number;
}

export interface ClaimedEvent {
  event_id: string;
  sequence: number;
  position: number;
  occurred_at: Date;
  body: Record<string, unknown>;
}

export interface Claim {
  after: string;
  next: string;
  events: ClaimedEvent[];
  /** The subscription is gone or deactivated: the dispatcher stops. */
  inactive?: boolean;
}

/**
 * The next events a subscription gets: the feed after `after`, each event selected for the
 * subscription (its scope first, from the event's stored subject; then types, filter, fields:
 * subscriptions/select.ts), the selected ones numbered from `firstSequence` on, gap-free.
 *
 * Idempotent: a claim with events is stored under (subscription, after) before it is returned and
 * never rewritten, so a retried call returns the stored claim; two dispatchers (there should be one)
 * would read the same numbers. A claim with no events is not stored: nothing was numbered, so a
 * retry that reads a longer page is as good. The subscription's durable cursor then moves to
 * `next` (only forward), so a dispatcher started again resumes there.
 */
export async function claimSubscriptionEvents(
  deps: { models: Models; feed: EventFeed; now: () => Date },
  input: ClaimInput,
): Promise<Claim> {
  const { models, feed, now } = deps;
  const claimId = `${input.subscriptionId}:${input.after}`;
  const stored = await models.SubscriptionClaim.findById(claimId).lean<Claim>();
  if (stored) return advance(models, input, { after: stored.after, next: stored.next, events: stored.events });

  const sub = await models.Subscription.findById(input.subscriptionId).lean();
  if (!sub || !sub.active) return { after: input.after, next: input.after, events: [], inactive: true };
  const page = await feed.readEventsAfter(input.after, { limit: input.limit ?? CLAIM_LIMIT });
  const selecting = {
    event_types: sub.event_types,
    filter: sub.filter as Filter,
    fields: sub.fields ?? undefined,
    affiliate_id: sub.affiliate_id,
  };
  const events: ClaimedEvent[] = [];
  for (const event of page.events) {
    // Events from before the subscription existed are not its to send (replay can send them).
    if (sub.created_at && new Date(event.occurred_at) < sub.created_at) continue;
    const body = selectEvent(selecting, event, optInTypes);
    if (!body) continue;
    events.push({
      event_id: event.id,
      sequence: input.firstSequence + events.length,
      position: event.position,
      occurred_at: new Date(event.occurred_at),
      body: { ...body, sequence: input.firstSequence + events.length },
    });
  }
  if (events.length === 0) return advance(models, input, { after: input.after, next: page.next, events });
  // First writer wins; a concurrent or earlier attempt's claim is the one returned.
  await models.SubscriptionClaim.updateOne(
    { _id: claimId },
    {
      $setOnInsert: { subscription_id: input.subscriptionId, after: input.after, next: page.next, events, claimed_at: now() },
    },
    { upsert: true },
  );
  const claim = (await models.SubscriptionClaim.findById(claimId).lean<Claim>())!;
  return advance(models, input, { after: claim.after, next: claim.next, events: claim.events });
}

/**
 * Moves the subscription's durable place (feed position and last sequence) to the claim's end, only
 * forward: a stale retry of an earlier claim changes nothing. A dispatcher started afresh resumes there.
 */
async function advance(models: Models, input: ClaimInput, claim: Claim): Promise<Claim> {
  const position = parseCursor(claim.next);
  await models.Subscription.updateOne(
    { _id: input.subscriptionId, $or: [{ feed_position: { $lt: position } }, { feed_position: { $exists: false } }] },
    { $set: { feed_position: position, last_sequence: input.firstSequence + claim.events.length - 1 } },
  );
  return claim;
}
