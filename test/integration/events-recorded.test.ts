import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createActivities } from '../../activities';
import type { LifecycleStatus } from '../../domain/status';
import type { EventEnvelope } from '../../events/envelope';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/**
 * Every state change records its events in the step that makes it (issue 16, part A): conversions
 * (created, status changed, rejected, reversed), deliveries (succeeded, dead-lettered), the
 * breaker (endpoint paused, resumed) and caps (reached, reset), read back through GET /api/events
 * and checked against the JSON Schemas the API publishes under `webhooks` in /openapi.json.
 */
const { stack, f } = useTestStack('events_recorded', { DELIVERY_PAUSE_AFTER_FAILURES: '2', DELIVERY_PAUSE_MS: '300' });

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

/** Every event the feed holds, paged through GET /api/events from the start. */
async function allEvents(types?: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let after = '0';
  for (;;) {
    const res = await f.admin('get', '/api/events').query({ after, limit: 7, ...(types ? { types } : {}) });
    expect(res.status).toBe(200);
    events.push(...res.body.data);
    if (res.body.data.length === 0) return events;
    after = res.body.next;
  }
}

const about = (events: EventEnvelope[], key: string, id: string) => events.filter((e) => e.data[key] === id);

/** Waits until the feed holds `types` (in this order, among others) for the entity. */
const eventsOf = (key: string, id: string, types: string[]) =>
  waitFor(`events ${types.join(', ')} for ${id}`, async () => {
    const mine = about(await allEvents(), key, id);
    const seen = mine.map((e) => e.type);
    return types.every((t) => seen.includes(t)) ? mine : undefined;
  });

/** Validates every event against the published webhook schema of its type, through a real JSON Schema validator. */
async function expectValid(events: EventEnvelope[]) {
  const doc = (await f.http().get('/openapi.json')).body as {
    webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
    components: { schemas: Record<string, object> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const e of events) {
    const hook = doc.webhooks[e.type];
    expect(hook).toBeDefined();
    const schema = { ...hook!.post.requestBody.content['application/json']!.schema, components: doc.components };
    const validate = ajv.compile(schema);
    const { type, id } = e;
    if (!validate(e)) throw new Error(`${type} ${id} does not match its schema: ${ajv.errorsText(validate.errors)}`);
  }
}

describe('events recorded by the state changes', () => {
  it('a conversion: created and status changes (with actor and reason), its delivery, a reversal; ids stable', async () => {
    const s = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}&st={status}`, events: ['approved', 'reversed'] });
    const id = await f.convert(s, { txid: 'order-1' });
    await waitFor('the approval delivered', () => f.deliveriesIn(id, 'succeeded'));
    const reversed = await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'reversed', reason: 'chargeback' });
    expect(reversed.status).toBe(200);

    const events = await eventsOf('conversion_id', id, ['conversion.created', 'conversion.reversed', 'delivery.succeeded']);
    const types = events.map((e) => e.type);
    // One created, first in the feed; each transition's status_changed before its specific event.
    expect(types.filter((t) => t === 'conversion.created')).toHaveLength(1);
    expect(types[0]).toBe('conversion.created');
    const changes = events.filter((e) => e.type === 'conversion.status_changed').map((e) => e.data);
    expect(changes.map((c) => [c.seq, c.from, c.to])).toEqual([
      [0, 'processing', 'approved'],
      [1, 'approved', 'reversed'],
    ]);
    expect(changes[1]).toMatchObject({ actor: 'ops', reason: 'chargeback', status: 'reversed', txid: 'order-1' });
    // One step's events keep the order it gave them: the reversal right after its status change.
    expect(types.indexOf('conversion.reversed')).toBe(
      events.findIndex((e) => e.type === 'conversion.status_changed' && e.data.seq === 1) + 1,
    );
    const created = events.find((e) => e.type === 'conversion.created')!;
    expect(created.data).toMatchObject({
      conversion_id: id,
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
      advertiser_id: s.advertiser.id,
      click_id: s.clickId,
      payout: '5.00',
      revenue: '8.00',
      currency: 'USD',
      test: false,
    });
    const delivered = events.filter((e) => e.type === 'delivery.succeeded').map((e) => e.data);
    expect(delivered.map((d) => d.event).sort()).toEqual(expect.arrayContaining(['approved']));
    expect(delivered[0]).toMatchObject({ conversion_id: id, affiliate_id: s.affiliate.id, attempts: 1, last_status_code: 200, run: 0 });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    await expectValid(events);

    // The feed filtered by a group holds the same events under the same ids.
    const conversionOnly = about(await allEvents('conversion.*'), 'conversion_id', id);
    expect(conversionOnly.map((e) => e.id)).toEqual(events.filter((e) => e.type.startsWith('conversion.')).map((e) => e.id));
  });

  it('a retried step that made its change before dying records the same events once, under the same ids', async () => {
    const s = await f.setup();
    const id = await f.convert(s);
    const before = await eventsOf('conversion_id', id, ['conversion.created', 'conversion.status_changed']);
    // The attempt that moved the projection died before its events were written: they are gone…
    await stack.models.Event.deleteMany({ _id: { $in: before.map((e) => e.id) } });
    const conversion = await stack.models.Conversion.findById(id).lean();
    const first = conversion!.status_history[0] as unknown as {
      seq: number;
      from: LifecycleStatus;
      to: LifecycleStatus;
      actor: string;
      reason?: string | null;
    };
    const activities = createActivities({ models: stack.models, now: () => new Date() });
    // …and the retry, finding the change already applied, records them again with the same ids.
    await activities.recordTransition({
      conversionId: id,
      seq: first.seq,
      from: first.from,
      to: first.to,
      actor: first.actor,
      reason: first.reason ?? undefined,
      reasonCodes: conversion!.reason_codes ?? [],
      offerId: conversion!.offer_id!,
      affiliateId: conversion!.affiliate_id!,
      advertiserId: conversion!.advertiser_id!,
      currency: conversion!.currency!,
      payoutMinor: conversion!.payout_minor!,
      revenueMinor: conversion!.revenue_minor!,
    });
    const again = about(await allEvents(), 'conversion_id', id).filter((e) => e.type.startsWith('conversion.'));
    expect(again.map((e) => e.id).sort()).toEqual(
      before
        .filter((e) => e.type.startsWith('conversion.'))
        .map((e) => e.id)
        .sort(),
    );
    // The ledger was not booked twice by the retry.
    const ledger = await stack.models.LedgerEntry.find({ conversion_id: id }).lean();
    expect(ledger.filter((l) => l.account === 'affiliate_payable').map((l) => l.amount_minor)).toEqual([500]);
  });

  it('a cap: reached by the reservation that filled it, reset when a place comes back', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id, { caps: [{ metric: 'conversions', period: 'day', limit: 1, timezone: 'UTC' }] });
    const first = await f.convert({ clickId: await f.click(offer.id, aff.id), token: adv.postback_token });
    const reached = await eventsOf('offer_id', offer.id, ['offer.cap_reached']);
    const second = await f.convert({ clickId: await f.click(offer.id, aff.id), token: adv.postback_token });
    await waitFor('the second refused by the cap', async () =>
      (await stack.models.Conversion.findById(second).lean())?.status === 'rejected' ? true : undefined,
    );
    expect(reached.find((e) => e.type === 'offer.cap_reached')!.data).toMatchObject({
      conversion_id: first,
      limit: 1,
      reserved: 1,
      metric: 'conversions',
    });

    expect((await f.admin('post', `/api/conversions/${first}/status`).send({ status: 'reversed' })).status).toBe(200);
    const capEvents = (await eventsOf('offer_id', offer.id, ['offer.cap_reached', 'offer.cap_reset'])).filter((e) =>
      e.type.startsWith('offer.'),
    );
    // The refusal of the second made no event of its own: the cap was already reached.
    expect(capEvents.map((e) => e.type)).toEqual(['offer.cap_reached', 'offer.cap_reset']);
    expect(capEvents[1]!.data).toMatchObject({ conversion_id: first, reserved: 0, limit: 1 });
    await expectValid(capEvents);
  });

  it('the breaker: endpoint.paused after the failures in a row, endpoint.resumed by the success after the pause', async () => {
    const s = await f.setup();
    const failing = await startReceiver();
    try {
      failing.reply({ status: 503 }, { status: 503 });
      const endpoint = await f.endpoint(s.affiliate.id, { url: `${failing.url}/pb?cid={click_id}` });
      const id = await f.convert(s);
      await waitFor('the delivery to succeed after the pause', () => f.deliveriesIn(id, 'succeeded'));
      const events = (await eventsOf('endpoint_id', endpoint.id, ['endpoint.paused', 'endpoint.resumed', 'delivery.succeeded'])).filter(
        (e) => e.type.startsWith('endpoint.'),
      );
      expect(events.map((e) => e.type)).toEqual(['endpoint.paused', 'endpoint.resumed']);
      expect(events[0]!.data).toMatchObject({ endpoint_id: endpoint.id, affiliate_id: s.affiliate.id, consecutive_failures: 2 });
      await expectValid(events);
    } finally {
      await failing.close();
    }
  });
});
