import type { NewEvent } from '../../events/envelope';
import { eventFeed } from '../../events/feed';
import { eventId } from '../../events/ids';
import { eventRecorder } from '../../events/record';
import { claimSubscriptionEvents, type Claim } from '../../activities/subscription-claim';
import { useTestStack } from '../support/preamble';

/**
 * A subscription's claims on the feed (activities/subscription-claim.ts): the events it gets,
 * numbered 1..N without gaps, stored before any is sent, the same numbers on a retried claim.
 */
const { stack, f } = useTestStack('subscription_claims');

let counter = 0;
const conversionEvent = (affiliate: string, status: string, occurredAt = new Date()): NewEvent => {
  counter += 1;
  return {
    id: eventId('conversion.status_changed', `cv_${counter}`, counter),
    type: 'conversion.status_changed',
    schema_version: 1,
    occurred_at: occurredAt,
    data: { conversion_id: `cv_${counter}`, affiliate_id: affiliate, status, payout: '5.00', revenue: '8.00', n: counter },
    subject: `cv_${counter}`,
    affiliate_id: affiliate,
  };
};

const deps = () => ({ models: stack.models, feed: eventFeed(stack.models), now: () => new Date() });
const subscribe = async (body: Record<string, unknown>) => {
  const res = await f.admin('post', '/api/subscriptions').send({ url: 'https://crm.example/hook', event_types: ['conversion.*'], ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

/** Claims from the start until a claim reads nothing new; returns every claimed event in order. */
async function claimAll(subscriptionId: string, limit: number) {
  let after = '0';
  let sequence = 1;
  const claimed: Claim['events'] = [];
  for (;;) {
    const claim = await claimSubscriptionEvents(deps(), { subscriptionId, after, firstSequence: sequence, limit });
    claimed.push(...claim.events);
    sequence += claim.events.length;
    if (claim.next === after) return { claimed, after, sequence };
    after = claim.next;
  }
}

let affA = '';
let affB = '';
beforeAll(async () => {
  affA = (await f.affiliate({ name: 'A' })).id;
  affB = (await f.affiliate({ name: 'B' })).id;
});

it('numbers the selected events 1..N in feed order, without gaps, across claims', async () => {
  const sub = await subscribe({ filter: { status: { in: ['approved', 'reversed'] } } });
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  const events = Array.from({ length: 30 }, (_, i) => conversionEvent(i % 2 ? affA : affB, ['approved', 'declined', 'reversed'][i % 3]!));
  for (let i = 0; i < events.length; i += 7) await record(events.slice(i, i + 7));
  const { claimed } = await claimAll(sub, 4); // many small claims
  const expected = events.filter((e) => ['approved', 'reversed'].includes(e.data.status as string)).map((e) => e.id);
  expect(claimed.map((c) => c.event_id)).toEqual(expected);
  expect(claimed.map((c) => c.sequence)).toEqual(expected.map((_, i) => i + 1));
  expect(claimed.every((c) => c.body.sequence === c.sequence && c.body.id === c.event_id)).toBe(true);
  const stored = await stack.models.Subscription.findById(sub).lean();
  expect(stored?.last_sequence).toBe(expected.length);
});

it('a retried claim from the same cursor returns the same events and numbers, even after the filter changed', async () => {
  const sub = await subscribe({});
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  const before = (await eventFeed(stack.models).readEventsAfter('0', { limit: 10_000 })).next;
  await record([conversionEvent(affA, 'approved'), conversionEvent(affA, 'declined')]);
  const first = await claimSubscriptionEvents(deps(), { subscriptionId: sub, after: before, firstSequence: 1 });
  expect(first.events.map((e) => e.sequence)).toEqual([1, 2]);
  await f.admin('patch', `/api/subscriptions/${sub}`).send({ filter: { status: 'declined' } });
  await record([conversionEvent(affA, 'declined')]);
  const retried = await claimSubscriptionEvents(deps(), { subscriptionId: sub, after: before, firstSequence: 1 });
  expect(retried).toEqual(first);
  // The next claim goes on from where the first ended, with the new filter.
  const next = await claimSubscriptionEvents(deps(), { subscriptionId: sub, after: first.next, firstSequence: 3 });
  expect(next.events.map((e) => [e.sequence, e.body.data])).toEqual([[3, expect.objectContaining({ status: 'declined' })]]);
});

it("an affiliate's subscription claims only its own conversions, projected for it, whatever its filter", async () => {
  const sub = await subscribe({ affiliate_id: affA, filter: { any: [{ affiliate_id: affB }, { affiliate_id: affA }] } });
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  await record([conversionEvent(affA, 'approved'), conversionEvent(affB, 'approved'), conversionEvent(affA, 'reversed')]);
  const { claimed } = await claimAll(sub, 50);
  expect(claimed.length).toBeGreaterThan(0);
  expect(claimed.every((c) => (c.body.data as Record<string, unknown>).affiliate_id === affA)).toBe(true);
  expect(claimed.some((c) => 'revenue' in (c.body.data as object))).toBe(false);
});

it('does not claim events from before the subscription existed', async () => {
  const record = eventRecorder({ models: stack.models, now: () => new Date() });
  const old = conversionEvent(affA, 'approved', new Date(Date.now() - 3_600_000));
  await record([old]);
  const sub = await subscribe({});
  const fresh = conversionEvent(affA, 'approved');
  await record([fresh]);
  const { claimed } = await claimAll(sub, 50);
  expect(claimed.map((c) => c.event_id)).not.toContain(old.id);
  expect(claimed.map((c) => c.event_id)).toContain(fresh.id);
});
