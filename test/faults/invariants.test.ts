import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { createModels, type Models } from '../../models';
import { connectMongo } from '../../models/connect';
import { uniqueName } from '../support/stack';
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

    const report = await checkInvariants({
      models,
      promised: [
        { key: 'tx-ok', conversionIds: ['cv_ok'], finalStatuses: ['approved'] },
        { key: 'tx-lost', conversionIds: ['cv_lost'], finalStatuses: ['approved'] },
        { key: 'tx-split', conversionIds: ['cv_ok', 'cv_twice'], finalStatuses: ['approved'] },
      ],
      deliveries: 'final',
      receivedEventIds: new Set(['evt_dl_ok']),
    });
    const named = (invariant: string) => report.violations.filter((v) => v.invariant === invariant).map((v) => v.id);
    expect(named('dedupe')).toEqual(expect.arrayContaining(['cv_dup_a,cv_dup_b', 'tx-split']));
    expect(named('accepted-kept')).toEqual(['cv_lost']);
    expect(named('ledger')).toEqual(expect.arrayContaining(['cv_twice', 'cv_twice:1:affiliate_payable']));
    expect(named('caps')).toContain('cap_1'); // reserved 2 > limit 1
    expect(named('delivery')).toEqual(expect.arrayContaining(['dl_gap', 'dl_stuck', 'cv_twice']));
    // Nothing is blamed on the consistent conversion, its entries or its delivery.
    expect(report.violations.filter((v) => v.id === 'cv_ok' || v.id === 'dl_ok')).toEqual([]);
    const message = describeViolations(report.violations);
    for (const id of ['cv_lost', 'cv_twice', 'cap_1', 'dl_gap', 'dl_stuck']) expect(message).toContain(id);
  });
});
