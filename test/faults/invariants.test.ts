import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { createModels, type Models } from '../../models';
import { connectMongo } from '../../models/connect';
import { uniqueName } from '../support/stack';
import { eventId } from '../../events/ids';
import { checkInvariants, describeViolations } from './support/invariants';
import { ownMongo, type OwnedServer } from './support/servers';

/**
 * The checker itself: fed a database with one planted fault per invariant, it must name each
 * offending id (so a scenario that passes is not passing because the checker sees nothing).
 * No indexes are built, so a second conversion for a key can be planted.
 */
describe('the fault suite invariant checker', () => {
  let dir: string;
  let mongo: OwnedServer | undefined;
  let connection: Connection;
  let models: Models;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'postflow-invariants-'));
    const url = process.env.MONGO_URL ?? (mongo = await ownMongo(dir)).url;
    connection = await connectMongo(url, { dbName: uniqueName('faults_invariants') });
    models = createModels(connection);
  }, 120_000);

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
    await mongo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = new Date('2026-11-25T10:00:00Z');
  const conversion = (id: string, fields: Record<string, unknown> = {}) => ({
    _id: id,
    dedupe_key: `key-${id}`,
    workflow_id: `conversion-${id}`,
    advertiser_id: 'adv_1',
    offer_id: 'off_1',
    affiliate_id: 'aff_1',
    click_id: 'clk_1',
    goal: 'sale',
    currency: 'EUR',
    payout_minor: 250,
    revenue_minor: 400,
    status: 'approved',
    status_seq: 0,
    status_history: [{ seq: 0, from: 'processing', to: 'approved', actor: 'system', at }],
    received_at: at,
    updated_at: at,
    ...fields,
  });
  const entry = (conversionId: string, account: string, amount: number, seq = 0) => ({
    _id: `${conversionId}:${seq}:${account}`,
    conversion_id: conversionId,
    seq,
    account,
    affiliate_id: 'aff_1',
    advertiser_id: 'adv_1',
    offer_id: 'off_1',
    amount_minor: amount,
    currency: 'EUR',
    status_from: 'processing',
    status_to: 'approved',
    created_at: at,
  });
  const booked = (id: string) => [entry(id, 'affiliate_payable', 250), entry(id, 'advertiser_receivable', 400)];

  it('passes a consistent database and names every planted violation', async () => {
    await models.PostbackEndpoint.create({
      _id: 'pbe_1',
      affiliate_id: 'aff_1',
      url: 'http://127.0.0.1/pb',
      method: 'GET',
      events: ['approved'],
    });
    await models.Conversion.create([
      conversion('cv_ok'),
      conversion('cv_dup_a', { dedupe_key: 'same' }),
      conversion('cv_dup_b', { dedupe_key: 'same' }),
      conversion('cv_twice'),
    ]);
    await models.LedgerEntry.create([
      ...booked('cv_ok'),
      ...booked('cv_dup_a'),
      ...booked('cv_dup_b'),
      ...booked('cv_twice'),
      entry('cv_twice', 'affiliate_payable', 250, 1),
    ]);
    await models.CapCounter.create({
      _id: 'cap_1',
      offer_id: 'off_1',
      cap_id: 'c',
      window: 'total',
      metric: 'conversions',
      limit: 1,
      reserved: 2,
      reservations: [
        { id: 'cv_ok', amount: 1 },
        { id: 'cv_twice', amount: 1 },
      ],
    });
    const delivery = (id: string, conversionId: string, status: string, attempts: number) => ({
      _id: id,
      event_id: `evt_${id}`,
      event: 'approved',
      conversion_id: conversionId,
      affiliate_id: 'aff_1',
      endpoint_id: 'pbe_1',
      offer_id: 'off_1',
      status,
      attempt_count: attempts,
      values: {},
      occurred_at: at,
    });
    await models.Delivery.create([
      delivery('dl_ok', 'cv_ok', 'succeeded', 1),
      delivery('dl_gap', 'cv_dup_a', 'dead_lettered', 2),
      delivery('dl_stuck', 'cv_dup_b', 'delivering', 1),
    ]);
    const attempt = (deliveryId: string, n: number, outcome: string) => ({
      _id: `${deliveryId}:0:${n}`,
      delivery_id: deliveryId,
      event_id: `evt_${deliveryId}`,
      endpoint_id: 'pbe_1',
      run: 0,
      attempt: n,
      method: 'GET',
      request_url: 'http://127.0.0.1/pb',
      outcome,
      at,
    });
    await models.DeliveryAttempt.create([attempt('dl_ok', 1, 'success'), attempt('dl_gap', 2, 'retry')]);

    // Events (invariant 6): cv_ok's are recorded, numbered, delivered and received in order.
    // Planted: cv_twice's transition recorded no event; cv_dup_b's events were never given to the
    // subscription; cv_dup_a's created event "succeeded" but never arrived, its status change has
    // sequence 5 (4 is missing), and an id the store lacks arrived out of order.
    await models.Subscription.collection.insertOne({
      _id: 'sub_1',
      url: 'http://127.0.0.1/events',
      event_types: ['conversion.*'],
      strict_order: true,
      created_by: 'test',
      signing_secret: 'whsec_test',
      active: true,
      created_at: new Date(at.getTime() - 60_000),
    } as never);
    const created = (id: string) => eventId('conversion.created', id);
    const changed = (id: string) => eventId('conversion.status_changed', id, 0);
    const event = (id: string, type: string) => ({ _id: id, type, schema_version: 1, occurred_at: at, data: {}, subject: 'x' });
    await models.Event.collection.insertMany(
      ['cv_ok', 'cv_dup_a', 'cv_dup_b'].flatMap((c) => [
        event(created(c), 'conversion.created'),
        event(changed(c), 'conversion.status_changed'),
      ]) as never[],
    );
    const subDelivery = (eventIdOf: string, sequence: number) => ({
      _id: `sd_${sequence}`,
      subscription_id: 'sub_1',
      event_id: eventIdOf,
      type: 'conversion.created',
      sequence,
      body: {},
      occurred_at: at,
      status: 'succeeded',
    });
    await models.SubscriptionDelivery.create([
      subDelivery(created('cv_ok'), 1),
      subDelivery(changed('cv_ok'), 2),
      subDelivery(created('cv_dup_a'), 3),
      subDelivery(changed('cv_dup_a'), 5),
    ]);
    const arrivals = [
      { id: created('cv_ok'), sequence: 1 },
      { id: changed('cv_ok'), sequence: 2 },
      { id: changed('cv_dup_a'), sequence: 5 },
      { id: 'evt_unknown', sequence: 4 },
    ];

    const report = await checkInvariants({
      models,
      promised: [
        { key: 'tx-ok', conversionIds: ['cv_ok'], finalStatuses: ['approved'] },
        { key: 'tx-lost', conversionIds: ['cv_lost'], finalStatuses: ['approved'] },
        { key: 'tx-split', conversionIds: ['cv_ok', 'cv_twice'], finalStatuses: ['approved'] },
      ],
      deliveries: 'final',
      receivedEventIds: new Set(['evt_dl_ok']),
      subscription: { id: 'sub_1', arrivals },
    });
    const named = (invariant: string) => report.violations.filter((v) => v.invariant === invariant).map((v) => v.id);
    expect(named('dedupe')).toEqual(expect.arrayContaining(['cv_dup_a,cv_dup_b', 'tx-split']));
    expect(named('accepted-kept')).toEqual(['cv_lost']);
    expect(named('ledger')).toEqual(expect.arrayContaining(['cv_twice', 'cv_twice:1:affiliate_payable']));
    expect(named('caps')).toContain('cap_1'); // reserved 2 > limit 1
    expect(named('delivery')).toEqual(expect.arrayContaining(['dl_gap', 'dl_stuck', 'cv_twice']));
    expect(named('events')).toEqual(expect.arrayContaining(['cv_twice', 'cv_dup_b', created('cv_dup_a'), 'sub_1', 'evt_unknown']));
    expect(report.violations.filter((v) => v.invariant === 'events' && v.id === 'evt_unknown').map((v) => v.detail)).toEqual([
      'received an event id the store does not have',
      'sequence 4 first arrived after sequence 5',
    ]);
    // Nothing is blamed on the consistent conversion, its entries or its delivery.
    expect(
      report.violations.filter((v) => v.id === 'cv_ok' || v.id === 'dl_ok' || v.id === created('cv_ok') || v.id === changed('cv_ok')),
    ).toEqual([]);
    const message = describeViolations(report.violations);
    for (const id of ['cv_lost', 'cv_twice', 'cap_1', 'dl_gap', 'dl_stuck']) expect(message).toContain(id);
  });
});
