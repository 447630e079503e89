import { deliveryWorkflowId } from '../../workflows/contract';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('audit');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const SIGNING_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const URL_TOKEN = 'urltoken-5f3a9c';

/** The entries written since `since` (an entry id), oldest first. */
const entriesSince = async (since: string) =>
  (await stack.models.AuditEntry.find({ _id: { $gt: since } })
    .sort({ _id: 1 })
    .lean()) as unknown as Record<string, unknown>[];
/** The newest entry's id: every entry written from now on sorts after it. */
const mark = async () => ((await stack.models.AuditEntry.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean())?._id as string) ?? 'aud_';

/** Runs `action` and expects it to write exactly one audit entry, which it returns. */
async function oneEntry(action: () => Promise<{ status: number }>, expectedStatus: number) {
  const since = await mark();
  const res = await action();
  expect(res.status).toBe(expectedStatus);
  const entries = await entriesSince(since);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

const byKey = { role: 'admin', via: 'key' };

describe('the audit log', () => {
  it('writes one entry per configuration change, with the fields sent but never their values', async () => {
    const adv = await oneEntry(() => f.admin('post', '/api/advertisers').send({ name: 'Audited' }), 201);
    expect(adv).toMatchObject({ actor: byKey, action: 'advertiser.create', target_type: 'advertiser', count: 1, fields: ['name'] });
    const advertiserId = adv.target_id as string;
    expect(advertiserId).toMatch(/^adv_/);
    expect(adv.request_id).toEqual(expect.any(String));

    const updated = await oneEntry(() => f.admin('patch', `/api/advertisers/${advertiserId}`).send({ name: 'Renamed' }), 200);
    expect(updated).toMatchObject({ action: 'advertiser.update', target_id: advertiserId, fields: ['name'], count: 1 });

    const aff = await oneEntry(() => f.admin('post', '/api/affiliates').send({ name: 'Aff' }), 201);
    expect(aff).toMatchObject({ action: 'affiliate.create', target_type: 'affiliate' });
    const affiliateId = aff.target_id as string;
    expect(await oneEntry(() => f.admin('patch', `/api/affiliates/${affiliateId}`).send({ name: 'Aff 2' }), 200)).toMatchObject({
      action: 'affiliate.update',
      target_id: affiliateId,
    });

    const offerBody = {
      advertiser_id: advertiserId,
      name: 'O',
      url: 'https://shop.example/?c={click_id}',
      currency: 'USD',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '1.00' }, revenue: { type: 'fixed', amount: '2.00' } }],
    };
    const offer = await oneEntry(() => f.admin('post', '/api/offers').send(offerBody), 201);
    expect(offer).toMatchObject({
      action: 'offer.create',
      fields: ['advertiser_id', 'currency', 'default_goal', 'goals', 'name', 'url'],
    });
    const offerId = offer.target_id as string;
    expect(await oneEntry(() => f.admin('patch', `/api/offers/${offerId}`).send({ name: 'O2' }), 200)).toMatchObject({
      action: 'offer.update',
      target_id: offerId,
      fields: ['name'],
    });

    const endpoint = await oneEntry(
      () =>
        f.admin('post', `/api/affiliates/${affiliateId}/postbacks`).send({
          url: `${receiver.url}/pb?token=${URL_TOKEN}&e={event_id}`,
          signing_secret: SIGNING_SECRET,
        }),
      201,
    );
    expect(endpoint).toMatchObject({
      action: 'postback_endpoint.create',
      target_type: 'postback_endpoint',
      fields: ['signing_secret', 'url'],
    });
    const endpointId = endpoint.target_id as string;
    expect(endpointId).toMatch(/^pb_/);
    expect(
      await oneEntry(() => f.admin('patch', `/api/postbacks/${endpointId}`).send({ signing_secret: SIGNING_SECRET }), 200),
    ).toMatchObject({ action: 'postback_endpoint.update', target_id: endpointId, fields: ['signing_secret'] });

    for (const [path, action, id] of [
      [`/api/postbacks/${endpointId}`, 'postback_endpoint.deactivate', endpointId],
      [`/api/offers/${offerId}`, 'offer.deactivate', offerId],
      [`/api/affiliates/${affiliateId}`, 'affiliate.deactivate', affiliateId],
      [`/api/advertisers/${advertiserId}`, 'advertiser.deactivate', advertiserId],
    ] as const) {
      const entry = await oneEntry(() => f.admin('delete', path), 200);
      expect(entry).toMatchObject({ actor: byKey, action, target_id: id, count: 1 });
      expect(entry.fields).toBeUndefined();
    }
  });

  it('records status changes, redeliveries and a bulk redelivery with its filter and counts', async () => {
    const s = await f.setup({
      goals: [
        { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, default_status: 'pending' },
      ],
    });
    const conversionId = await f.convert(s);
    await waitFor('a pending conversion', async () => (await stack.models.Conversion.findById(conversionId).lean())?.status === 'pending');
    const change = await oneEntry(
      () => f.admin('post', `/api/conversions/${conversionId}/status`).send({ status: 'approved', reason: 'checked the order' }),
      200,
    );
    expect(change).toMatchObject({
      actor: byKey,
      action: 'conversion.status_change',
      target_type: 'conversion',
      target_id: conversionId,
      status: 'approved',
      reason: 'checked the order',
      count: 1,
    });

    // A delivery that fails, redelivered once on its own, then in bulk.
    const endpoint = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/audit`, events: ['reversed'] });
    receiver.otherwise({ status: 400 });
    await f.admin('post', `/api/conversions/${conversionId}/status`).send({ status: 'reversed' });
    const [delivery] = await waitFor('a failed delivery', () => f.deliveriesIn(conversionId, 'failed'));
    const one = await oneEntry(() => f.admin('post', `/api/deliveries/${delivery!._id}/redeliver`), 202);
    expect(one).toMatchObject({ actor: byKey, action: 'delivery.redeliver', target_type: 'delivery', target_id: delivery!._id, count: 1 });
    await waitFor('the redelivery to fail again', async () => {
      const d = await stack.models.Delivery.findById(delivery!._id).lean();
      return d?.run === 1 && d.status === 'failed';
    });
    // The row says failed a moment before the run's workflow closes; a redelivery meanwhile is refused
    // ("the previous run is still closing") and a bulk one skips it, so wait for the close.
    await waitFor('the redelivery run to close', async () => {
      const { status } = await stack.client.workflow.getHandle(deliveryWorkflowId(delivery!._id)).describe();
      return status.name !== 'RUNNING';
    });

    const filter = { endpoint_id: endpoint.id, status: 'failed', error_class: 'http_4xx' };
    const since = await mark();
    const preview = await f.admin('post', '/api/deliveries/redeliver').send({ ...filter, dry_run: true });
    expect(preview.body.matched).toBe(1);
    expect(await entriesSince(since)).toEqual([]);
    const bulk = await oneEntry(
      () => f.admin('post', '/api/deliveries/redeliver').send({ ...filter, expected_count: preview.body.matched }),
      202,
    );
    expect(bulk).toMatchObject({
      actor: byKey,
      action: 'delivery.bulk_redeliver',
      filter,
      matched: 1,
      started: 1,
      truncated: false,
      count: 1,
    });
    expect(bulk.target_id).toBeUndefined();
  });

  it('refused and failed actions write nothing; a console session is recorded as such', async () => {
    const since = await mark();
    expect((await f.admin('patch', '/api/advertisers/adv_missing').send({ name: 'x' })).status).toBe(404);
    expect((await f.admin('post', '/api/advertisers').send({ name: '' })).status).toBe(400);
    expect((await f.admin('post', '/api/deliveries/redeliver').send({})).status).toBe(400);
    expect((await f.admin('post', '/api/deliveries/dl_missing/redeliver')).status).toBe(404);
    expect(await entriesSince(since)).toEqual([]);

    const session = await f.http().post('/api/session').send({ key: TEST_ADMIN_KEY });
    const cookie = (session.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const entry = await oneEntry(
      () =>
        f.http().post('/api/affiliates').set('Cookie', cookie).set('X-CSRF-Token', session.body.csrf_token).send({ name: 'Via console' }),
      201,
    );
    expect(entry.actor).toEqual({ role: 'admin', via: 'session' });
  });

  it('never holds a secret', async () => {
    const all = JSON.stringify(await stack.models.AuditEntry.find().lean());
    expect(all.length).toBeGreaterThan(100);
    for (const secret of [SIGNING_SECRET, URL_TOKEN, TEST_ADMIN_KEY, 'pt_']) expect(all).not.toContain(secret);
  });
});

describe('GET /api/audit', () => {
  it('lists newest first, filters by action, target and time, and pages by keyset', async () => {
    const res = await f.admin('get', '/api/audit').query({ limit: 500 });
    expect(res.status).toBe(200);
    const all = res.body.data as { id: string; at: string; action: string; target_id?: string }[];
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort().reverse());
    for (const e of all) expect(Object.keys(e)).not.toContain('_id');

    const creates = await f.admin('get', '/api/audit').query({ action: 'affiliate.create' });
    expect(creates.body.data.map((e: { id: string }) => e.id)).toEqual(all.filter((e) => e.action === 'affiliate.create').map((e) => e.id));

    const target = all.find((e) => e.action === 'delivery.redeliver')!.target_id!;
    const onTarget = await f.admin('get', '/api/audit').query({ target_id: target });
    expect(onTarget.body.data.map((e: { action: string }) => e.action)).toEqual(['delivery.redeliver']);

    // Pages of 3 walk the whole log, each entry once, in order.
    const walked: string[] = [];
    let before: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; next_before: string | null } } = await f
        .admin('get', '/api/audit')
        .query({ limit: 3, ...(before ? { before } : {}) });
      walked.push(...page.body.data.map((e) => e.id));
      before = page.body.next_before;
    } while (before);
    expect(walked).toEqual(all.map((e) => e.id));

    // [from, to): from the third newest entry's time to the newest's, that one excluded.
    const from = all[2]!.at;
    const to = all[0]!.at;
    const windowed = await f.admin('get', '/api/audit').query({ from, to });
    const expected = all.filter((e) => e.at >= from && e.at < to).map((e) => e.id);
    expect(windowed.body.data.map((e: { id: string }) => e.id)).toEqual(expected);

    expect((await f.admin('get', '/api/audit').query({ action: 'nope' })).status).toBe(400);
    expect((await f.http().get('/api/audit')).status).toBe(401);
  });
});
