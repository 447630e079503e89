import { eventRecorder } from '../../events/record';
import { deleteExpiredEventData } from '../../events/retention';
import { eventId } from '../../events/ids';
import { useTestStack } from '../support/preamble';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

/**
 * EVENTS_RETENTION_DAYS (events/retention.ts): past it, events and the subscriptions' records of
 * sending them are deleted, but never a subscription delivery that has not ended; the recorder's
 * periodic sweep is what runs it.
 */
const { stack, f } = useTestStack('event_retention');
const m = () => stack.models;
let ok: Receiver;
let down: Receiver;
beforeAll(async () => {
  ok = await startReceiver();
  down = await startReceiver();
  down.otherwise({ status: 503 });
});
afterAll(async () => {
  await ok?.close();
  await down?.close();
});

async function subscribe(url: string, offerId: string): Promise<string> {
  const res = await f.admin('post', '/api/subscriptions').send({ url, event_types: ['conversion.created'], filter: { offer_id: offerId } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

test('deletes old events, ended subscription deliveries, their attempts and claims; keeps a delivery still under way', async () => {
  const s = await f.setup();
  const delivered = await subscribe(`${ok.url}/crm`, s.offer.id);
  const failing = await subscribe(`${down.url}/crm`, s.offer.id);
  for (let i = 0; i < 2; i++) await f.convert({ clickId: await f.click(s.offer.id, s.affiliate.id), token: s.token });
  await waitFor('both delivered to the working receiver, and retried at the failing one', async () => {
    const done = await m().SubscriptionDelivery.countDocuments({ subscription_id: delivered, status: 'succeeded' });
    const retrying = await m().SubscriptionDelivery.countDocuments({
      subscription_id: failing,
      status: 'delivering',
      attempt_count: { $gte: 1 },
    });
    return done === 2 && retrying === 2 ? true : undefined;
  });
  const count = async () => ({
    events: await m().Event.countDocuments({}),
    delivered: await m().SubscriptionDelivery.countDocuments({ subscription_id: delivered }),
    failing: await m().SubscriptionDelivery.countDocuments({ subscription_id: failing }),
    attempts: await m().SubscriptionAttempt.countDocuments({}),
    claims: await m().SubscriptionClaim.countDocuments({}),
  });
  const before = await count();
  expect(before).toMatchObject({ delivered: 2, failing: 2 });
  expect(before.events).toBeGreaterThanOrEqual(4);
  expect(before.attempts).toBeGreaterThanOrEqual(4);
  expect(before.claims).toBeGreaterThanOrEqual(2);

  // A cutoff before everything deletes nothing.
  await deleteExpiredEventData(m(), new Date(Date.now() - 3_600_000));
  expect(await count()).toEqual(before);

  // A cutoff after everything: all of it goes, except the deliveries still being retried.
  await deleteExpiredEventData(m(), new Date(Date.now() + 1000));
  expect(await count()).toEqual({ events: 0, delivered: 0, failing: 2, attempts: 0, claims: 0 });
  const kept = await m().SubscriptionDelivery.find({ subscription_id: failing }).lean();
  expect(kept.every((d) => d.status === 'delivering')).toBe(true);
});

test("the recorder's sweep applies the retention it is given", async () => {
  const old = { id: eventId('conversion.created', 'old', 0), occurred_at: new Date(Date.now() - 10 * 24 * 3600 * 1000) };
  const fresh = { id: eventId('conversion.created', 'fresh', 0), occurred_at: new Date() };
  const record = eventRecorder({ models: m(), now: () => new Date(), retentionMs: 7 * 24 * 3600 * 1000 });
  const base = { type: 'conversion.created', schema_version: 1, data: {}, subject: 'x' };
  // A later recorder clock than any sweep this process made: its first write sweeps.
  const later = eventRecorder({ models: m(), now: () => new Date(Date.now() + 3_600_000), retentionMs: 7 * 24 * 3600 * 1000 });
  await record([{ ...base, ...old }]);
  await later([{ ...base, ...fresh }]);
  expect(await m().Event.exists({ _id: old.id })).toBeNull();
  expect(await m().Event.exists({ _id: fresh.id })).not.toBeNull();
});
