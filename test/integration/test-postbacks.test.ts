import { Webhook } from 'standardwebhooks';
import { horizon } from '../../api/live/cursor';
import { readChanges } from '../../api/live/read-changes';
import { TEST_POSTBACKS_PER_HOUR } from '../../api/test-postback-quota';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

// Invariant 10: a test conversion never moves a report, a cap or the ledger; it runs the real
// workflow and reaches the affiliate's endpoint, marked as a test.
const { stack, f } = useTestStack('testpb');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const SECRET = `whsec_${Buffer.from('test-postbacks-secret-0123456789').toString('base64')}`;
const goals = [
  {
    key: 'sale',
    payout: { type: 'fixed', amount: '5.00' },
    revenue: { type: 'fixed', amount: '8.00' },
    default_status: 'approved',
  },
];

// A fixed window around the test, so that snapshots taken minutes apart cover the same periods.
const HOUR = 3_600_000;
const window = {
  from: new Date(Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR).toISOString(),
  to: new Date(Math.floor(Date.now() / HOUR) * HOUR + 24 * HOUR).toISOString(),
};

/** Everything a test fire could move, read the way a user reads it (the API) and from the rows behind it. */
async function figures(offerId: string, affiliateId: string) {
  const totals = async (path: string, query: Record<string, string>) => {
    const res = await f.admin('get', path).query(query);
    expect(res.status).toBe(200);
    return res.body.totals as unknown[];
  };
  const overview = await f.admin('get', '/api/overview').query(window);
  expect(overview.status).toBe(200);
  const ledger = await stack.models.LedgerEntry.find({ offer_id: offerId }).lean();
  const counters = await stack.models.CapCounter.find({ offer_id: offerId }).lean();
  return {
    report: await totals('/api/reports', { group_by: 'day', ...window }),
    rawReport: await totals('/api/reports', { group_by: 'day', source: 'raw', ...window }),
    overviewTotals: overview.body.totals,
    overviewDeliveries: overview.body.deliveries,
    overviewCaps: overview.body.caps,
    capReserved: counters.reduce((sum, c) => sum + c.reserved, 0),
    ledgerEntries: ledger.length,
    ledgerSum: ledger.reduce((sum, e) => sum + e.amount_minor, 0),
    balance: (await f.admin('get', `/api/affiliates/${affiliateId}/balance`)).body.balances,
  };
}

const settledConversion = (id: string) =>
  waitFor(`conversion ${id} to leave processing`, async () => {
    const doc = await stack.models.Conversion.findById(id).lean();
    return doc && doc.status !== 'processing' ? doc : undefined;
  });

const fire = (affiliateId: string, body: Record<string, unknown>) =>
  f.admin('post', `/api/affiliates/${affiliateId}/test-postbacks`).send(body);

describe('test postbacks (POST /api/affiliates/{id}/test-postbacks)', () => {
  it('runs the real pipeline to a signed, marked postback, and moves no report, cap or ledger line (a real one does)', async () => {
    const s = await f.setup({ goals, caps: [{ metric: 'conversions', period: 'day', limit: 1 }] });
    await f.endpoint(s.affiliate.id, {
      url: `${receiver.url}/pb?cv={conversion_id}&is_test={is_test}`,
      method: 'POST',
      signing_secret: SECRET,
      body: '{"event":"{event_id}","payout":"{payout}","is_test":"{is_test}"}',
    });
    const before = await figures(s.offer.id, s.affiliate.id);

    // A real conversion moves every figure and fills the cap (limit 1): the comparison below can fail.
    const realId = await f.convert(s);
    expect((await settledConversion(realId)).status).toBe('approved');
    await waitFor('the real delivery', () => f.deliveriesIn(realId, 'succeeded'));
    const afterReal = await figures(s.offer.id, s.affiliate.id);
    expect(afterReal.capReserved).toBe(before.capReserved + 1);
    expect(afterReal.ledgerSum).toBe(before.ledgerSum + 500 + 800);
    expect(afterReal.ledgerEntries).toBe(before.ledgerEntries + 2);
    expect(afterReal.balance).toEqual([{ currency: 'USD', payable: '5.00', entries: 1 }]);
    expect(afterReal.report).not.toEqual(before.report);
    expect(afterReal.rawReport).not.toEqual(before.rawReport);
    expect(afterReal.overviewTotals).not.toEqual(before.overviewTotals);
    expect(afterReal.overviewDeliveries).not.toEqual(before.overviewDeliveries);
    const realCall = receiver.requests.find((r) => r.url.includes(realId))!;
    expect(realCall.headers['x-postflow-test']).toBeUndefined();
    expect(new URL(realCall.url, receiver.url).searchParams.get('is_test')).toBe('0');

    // The test fire, on the capped-out offer: accepted, approved (not cap_reached), delivered.
    const res = await fire(s.affiliate.id, { offer_id: s.offer.id, sub1: 'my-click-42' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ result: 'accepted', test: true, conversion_id: expect.any(String), click_id: expect.any(String) });
    const testId = res.body.conversion_id as string;
    const testConversion = await settledConversion(testId);
    expect(testConversion).toMatchObject({
      status: 'approved',
      reason_codes: [],
      payout_minor: 500,
      test: true,
      click_id: res.body.click_id,
    });
    expect(testConversion.cap_reservations).toEqual([]);
    const [delivery] = await waitFor('the test delivery', () => f.deliveriesIn(testId, 'succeeded'));

    // Exactly one call reached the endpoint for it: signed, with the header on it and is_test=1 in URL and body.
    const calls = receiver.requests.filter((r) => r.url.includes(testId));
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.headers['x-postflow-test']).toBe('1');
    expect(new URL(call.url, receiver.url).searchParams.get('is_test')).toBe('1');
    const verified = new Webhook(SECRET).verify(call.body, {
      'webhook-id': String(call.headers['webhook-id']),
      'webhook-timestamp': String(call.headers['webhook-timestamp']),
      'webhook-signature': String(call.headers['webhook-signature']),
    }) as { event: string; payout: string; is_test: string };
    expect(verified).toEqual({ event: delivery!.event_id, payout: '5.00', is_test: '1' });

    // Nothing moved: reports (roll-ups and raw rows), the overview, the cap, the ledger, the balance.
    const afterTest = await figures(s.offer.id, s.affiliate.id);
    expect(afterTest).toEqual(afterReal);

    // Labelled wherever it is shown.
    const read = await f.admin('get', `/api/conversions/${testId}`);
    expect(read.body).toMatchObject({ test: true, status: 'approved', subs: { sub1: 'my-click-42' } });
    expect(read.body.deliveries).toEqual([expect.objectContaining({ id: delivery!._id, test: true })]);
    expect((await f.admin('get', `/api/conversions/${realId}`)).body.test).toBe(false);
    const deliveryRead = await f.admin('get', `/api/deliveries/${delivery!._id}`);
    expect(deliveryRead.body).toMatchObject({ test: true, values: expect.objectContaining({ is_test: '1' }) });
    expect(deliveryRead.body.attempts).toEqual([expect.objectContaining({ test: true, status_code: 200 })]);
    const history = await f.admin('get', `/api/conversions/${testId}/history`);
    expect(history.body.test).toBe(true);
    expect(history.body.entries.find((e: { kind: string }) => e.kind === 'received').title).toMatch(/^TEST conversion/);
    expect(history.body.entries.some((e: { kind: string }) => e.kind.startsWith('cap'))).toBe(false);
    expect((await f.admin('get', `/api/conversions/${realId}/history`)).body.test).toBe(false);

    // The live stream's events (read as GET /api/stream reads them) flag the test's, and only those.
    const { changes } = await readChanges(stack.models, { t: 0, rank: 0, id: '' }, horizon(Date.now() + 60_000), 1000);
    const eventsOf = (id: string) =>
      changes.map((c) => c.event as Record<string, unknown>).filter((e) => e.id === id || e.conversion_id === id);
    expect(eventsOf(testId).map((e) => [e.kind, e.test])).toEqual([
      ['conversion', true],
      ['delivery', true],
    ]);
    expect(eventsOf(realId).map((e) => [e.kind, e.test])).toEqual([
      ['conversion', undefined],
      ['delivery', undefined],
    ]);

    // Search lists both by default, each flagged; `test` narrows to one kind.
    const ids = async (query: Record<string, string>) =>
      (
        (await f.admin('get', '/api/conversions').query({ affiliate_id: s.affiliate.id, ...query })).body.data as {
          id: string;
          test: boolean;
        }[]
      ).map((c) => [c.id, c.test]);
    expect(new Set(await ids({}))).toEqual(
      new Set([
        [testId, true],
        [realId, false],
      ]),
    );
    expect(await ids({ test: 'true' })).toEqual([[testId, true]]);
    expect(await ids({ test: 'false' })).toEqual([[realId, false]]);
    const csv = await f.admin('get', '/api/conversions/export.csv').query({ affiliate_id: s.affiliate.id, test: 'true' });
    expect(csv.text.split('\r\n')[0]).toMatch(/,test$/);
    expect(csv.text.split('\r\n')[1]).toMatch(/,1$/);

    // The admin call is audited, naming the conversion it started.
    const audit = await f.admin('get', '/api/audit').query({ action: 'affiliate.test_postback' });
    expect(audit.body.data).toEqual([
      expect.objectContaining({ target_type: 'affiliate', target_id: s.affiliate.id, conversion_id: testId, count: 1 }),
    ]);
  });

  it('is bounded per affiliate and hour, exactly, however many fire at once', async () => {
    const s = await f.setup({ goals });
    const results = await Promise.all(
      Array.from({ length: TEST_POSTBACKS_PER_HOUR + 5 }, () => fire(s.affiliate.id, { offer_id: s.offer.id })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((st) => st === 202)).toHaveLength(TEST_POSTBACKS_PER_HOUR);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.body.error).toBe('rate_limited');
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(0);
    // Another affiliate has its own bound.
    const other = await f.affiliate();
    expect((await fire(other.id, { offer_id: s.offer.id })).status).toBe(202);
    expect(await stack.models.Click.countDocuments({ affiliate_id: s.affiliate.id, test: true })).toBe(TEST_POSTBACKS_PER_HOUR);
  });

  it('refuses what it cannot fire, naming the field, and stores nothing', async () => {
    const s = await f.setup({
      goals: [...goals, { key: 'share', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '15' } }],
    });
    const cases: [Record<string, unknown>, number, string | undefined][] = [
      [{ offer_id: 'off_missing' }, 400, 'offer_id'],
      [{ offer_id: s.offer.id, goal: 'nope' }, 400, 'goal'],
      [{ offer_id: s.offer.id, goal: 'share' }, 400, 'amount'],
      [{ offer_id: s.offer.id, amount: 'ten' }, 400, 'amount'],
      [{}, 400, 'offer_id'],
    ];
    for (const [body, status, field] of cases) {
      const res = await fire(s.affiliate.id, body);
      expect({ body, status: res.status, fields: res.body.issues?.map((i: { path: string }) => i.path) }).toEqual({
        body,
        status,
        fields: [field],
      });
    }
    expect((await fire('aff_missing', { offer_id: s.offer.id })).status).toBe(404);
    expect(await stack.models.Click.countDocuments({ affiliate_id: s.affiliate.id, test: true })).toBe(0);
  });
});

describe('test postbacks by the partner itself', () => {
  const keyFor = async (principal: string, extra: Record<string, unknown> = {}) => {
    const res = await f.admin('post', '/api/keys').send({ name: 'test fire', principal, ...extra });
    expect(res.status).toBe(201);
    return res.body.key as string;
  };
  const as = (key: string, path: string, body: object) => f.http().post(path).set('Authorization', `Bearer ${key}`).send(body);

  it('an affiliate fires for itself, never for another; it needs the test_postbacks capability and write access', async () => {
    const s = await f.setup({ goals });
    const other = await f.affiliate();
    const own = await keyFor(`affiliate:${s.affiliate.id}`);
    const fired = await as(own, `/api/affiliates/${s.affiliate.id}/test-postbacks`, { offer_id: s.offer.id });
    expect(fired.status).toBe(202);
    expect((await settledConversion(fired.body.conversion_id)).test).toBe(true);
    const foreign = await as(own, `/api/affiliates/${other.id}/test-postbacks`, { offer_id: s.offer.id });
    expect([foreign.status, foreign.body.error]).toEqual([404, 'not_found']);
    const lacking = await keyFor(`affiliate:${s.affiliate.id}`, { capabilities: ['redeliver'] });
    const refused = await as(lacking, `/api/affiliates/${s.affiliate.id}/test-postbacks`, { offer_id: s.offer.id });
    expect([refused.status, refused.body.error]).toEqual([403, 'missing_capability']);
    const readOnly = await keyFor(`affiliate:${s.affiliate.id}`, { read_only: true });
    const read = await as(readOnly, `/api/affiliates/${s.affiliate.id}/test-postbacks`, { offer_id: s.offer.id });
    expect([read.status, read.body.error]).toEqual([403, 'read_only']);
    // An advertiser's key reaches its own test clicks, not the affiliate route.
    const adv = await keyFor(`advertiser:${s.advertiser.id}`);
    expect((await as(adv, `/api/affiliates/${s.affiliate.id}/test-postbacks`, { offer_id: s.offer.id })).status).toBe(403);
    const minted = await as(adv, `/api/advertisers/${s.advertiser.id}/test-postbacks`, {
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
    });
    expect(minted.status).toBe(201);
  });
});

describe("the advertiser's own test postback (POST /api/advertisers/{id}/test-postbacks)", () => {
  it('makes a test click that its server posts back with its token: the conversion is a test one', async () => {
    const s = await f.setup({ goals });
    const minted = await f.admin('post', `/api/advertisers/${s.advertiser.id}/test-postbacks`).send({
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
    });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ test: true, click_id: expect.any(String) });
    expect(minted.body.postback_url).toContain(`click_id=${minted.body.click_id}`);
    const before = await figures(s.offer.id, s.affiliate.id);

    const pb = await f.http().get('/postback').query({ click_id: minted.body.click_id, token: s.token, txid: 'adv-test-1' });
    expect(pb.status).toBe(200);
    const doc = await settledConversion(pb.body.conversion_id);
    expect(doc).toMatchObject({ status: 'approved', test: true });
    expect(await figures(s.offer.id, s.affiliate.id)).toEqual(before);
    // Still the advertiser's real integration: a wrong token is refused as for any postback.
    expect((await f.http().get('/postback').query({ click_id: minted.body.click_id, token: 'wrong', txid: 'x' })).status).toBe(401);

    const other = await f.advertiser();
    const foreign = await f.admin('post', `/api/advertisers/${other.id}/test-postbacks`).send({
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.issues.map((i: { path: string }) => i.path)).toEqual(['offer_id']);
  });
});
