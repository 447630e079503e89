import { conversionIdFor } from '../../domain/conversion-id';
import { createActivities } from '../../activities';
import { dedupeKey, singleConversionKey } from '../../domain/conversion';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('postback');

const conversion = (id: string, status?: string) =>
  waitFor(`conversion ${id}${status ? ` to be ${status}` : ''}`, async () => {
    const res = await f.admin('get', `/api/conversions/${id}`);
    return res.status === 200 && (!status || res.body.status === status) ? res.body : undefined;
  });

describe('postback ingress', () => {
  it('accepts a postback, and the workflow screens, attributes and books it', async () => {
    const s = await f.setup();
    const res = await f.http().get('/postback').query({ click_id: s.clickId, txid: 'order-1', amount: '40.00', token: s.token });
    expect(res.status).toBe(200);
    const key = dedupeKey({
      advertiserId: s.advertiser.id,
      offerId: s.offer.id,
      clickId: s.clickId,
      goal: 'sale',
      txid: 'order-1',
    });
    expect(res.body).toEqual({ conversion_id: conversionIdFor(key), result: 'accepted' });

    const doc = await conversion(res.body.conversion_id, 'approved');
    expect(doc).toMatchObject({
      click_id: s.clickId,
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
      goal: 'sale',
      txid: 'order-1',
      amount: '40.00',
      payout: '5.00',
      revenue: '8.00',
      currency: 'USD',
      reason_codes: [],
    });
    const entries = await stack.models.LedgerEntry.find({ conversion_id: res.body.conversion_id }).lean();
    expect(entries.map((e) => [e.account, e.amount_minor]).sort()).toEqual([
      ['advertiser_receivable', 800],
      ['affiliate_payable', 500],
    ]);

    const balance = await f.admin('get', `/api/affiliates/${s.affiliate.id}/balance`);
    expect(balance.body.balances).toEqual([{ currency: 'USD', payable: '5.00', entries: 1 }]);
  });

  it('accepts aliases other trackers send (clickid, secure, sum, order_id)', async () => {
    const s = await f.setup({
      goals: [{ key: 'sale', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '15' } }],
    });
    const res = await f.http().get('/postback').query({ clickid: s.clickId, secure: s.token, sum: '99.99', order_id: 'A-1' });
    expect(res.status).toBe(200);
    const doc = await conversion(res.body.conversion_id, 'approved');
    expect(doc).toMatchObject({ txid: 'A-1', amount: '99.99', payout: '10.00', revenue: '15.00' });
  });

  it('answers a repeat with the same id and "duplicate"; 50 at once make one conversion', async () => {
    const s = await f.setup();
    const query = { click_id: s.clickId, txid: 'burst', token: s.token };
    const responses = await Promise.all(Array.from({ length: 50 }, () => f.http().get('/postback').query(query)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((r) => r.body.conversion_id)).size).toBe(1);
    expect(responses.filter((r) => r.body.result === 'accepted')).toHaveLength(1);
    const id = responses[0]!.body.conversion_id;
    await conversion(id, 'approved');
    const again = await f.http().post('/postback').send(query);
    expect(again.body).toEqual({ conversion_id: id, result: 'duplicate' });
    expect(await stack.models.Conversion.countDocuments({ click_id: s.clickId })).toBe(1);
    expect(await stack.models.LedgerEntry.countDocuments({ conversion_id: id })).toBe(2);
  });

  it('a new txid on the same click is a duplicate unless the goal allows multiple', async () => {
    const single = await f.setup();
    const first = await f.http().get('/postback').query({ click_id: single.clickId, txid: 'a', token: single.token });
    await conversion(first.body.conversion_id);
    const second = await f.http().get('/postback').query({ click_id: single.clickId, txid: 'b', token: single.token });
    expect(second.body).toEqual({ conversion_id: first.body.conversion_id, result: 'duplicate' });
    const noTxid = await f.http().get('/postback').query({ click_id: single.clickId, token: single.token });
    expect(noTxid.body).toEqual({ conversion_id: first.body.conversion_id, result: 'duplicate' });
    expect(
      await stack.models.LedgerEntry.countDocuments({
        conversion_id: { $ne: first.body.conversion_id },
        affiliate_id: single.affiliate.id,
      }),
    ).toBe(0);

    const multi = await f.setup({
      goals: [
        {
          key: 'sale',
          allow_multiple: true,
          payout: { type: 'fixed', amount: '1' },
          revenue: { type: 'fixed', amount: '2' },
        },
      ],
    });
    const a = await f.http().get('/postback').query({ click_id: multi.clickId, txid: 'a', token: multi.token });
    const b = await f.http().get('/postback').query({ click_id: multi.clickId, txid: 'b', token: multi.token });
    expect(a.body.result).toBe('accepted');
    expect(b.body.result).toBe('accepted');
    expect(a.body.conversion_id).not.toBe(b.body.conversion_id);
  });

  it('different txids posted at once on one click make one conversion, the rest duplicates or rejected', async () => {
    const s = await f.setup();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        f
          .http()
          .get('/postback')
          .query({ click_id: s.clickId, txid: `race-${i}`, token: s.token }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const ids = [...new Set(responses.filter((r) => r.body.result === 'accepted').map((r) => r.body.conversion_id as string))];
    const docs = await waitFor('the accepted conversions to be decided', async () => {
      const found = await stack.models.Conversion.find({ _id: { $in: ids } }).lean();
      return found.length === ids.length && found.every((d) => d.status !== 'processing') ? found : undefined;
    });
    const counted = docs.filter((d) => d.status !== 'rejected');
    expect(counted).toHaveLength(1);
    expect(docs.filter((d) => d.status === 'rejected').every((d) => d.reason_codes.includes('duplicate_conversion'))).toBe(true);
    const payable = await stack.models.LedgerEntry.find({
      affiliate_id: s.affiliate.id,
      account: 'affiliate_payable',
    }).lean();
    expect(payable.reduce((t, e) => t + e.amount_minor, 0)).toBe(500);
  });

  it('a retried screening still knows its conversion lost the click-and-goal race', async () => {
    const s = await f.setup();
    const first = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, txid: 'winner' });
    await conversion(first.body.conversion_id, 'approved');
    const activities = createActivities({ models: stack.models, now: () => new Date() });
    const key = dedupeKey({
      advertiserId: s.advertiser.id,
      offerId: s.offer.id,
      clickId: s.clickId,
      goal: 'sale',
      txid: 'loser',
    });
    const input = {
      conversionId: conversionIdFor(key),
      dedupeKey: key,
      singleKey: singleConversionKey({ clickId: s.clickId, goal: 'sale', allowMultiple: false, dedupeKey: key }),
      clickId: s.clickId,
      offerId: s.offer.id,
      affiliateId: s.affiliate.id,
      advertiserId: s.advertiser.id,
      goal: 'sale',
      txid: 'loser',
      receivedAt: new Date().toISOString(),
      reversalWindowHours: 1,
    };
    expect((await activities.screenConversion(input)).duplicateOf).toBe(first.body.conversion_id);
    // The same activity again, as Temporal retries it after a failure past the fallback insert.
    expect((await activities.screenConversion(input)).duplicateOf).toBe(first.body.conversion_id);
  });

  it('still answers "duplicate" after Temporal has forgotten the workflow (retention passed)', async () => {
    // What retention leaves behind: the projection exists, the server has no execution. The screening
    // activity writes exactly that projection without any workflow, so the state is built directly
    // rather than by terminate + delete, whose asynchronous deletion can lag by minutes on a busy server.
    const s = await f.setup();
    const key = dedupeKey({
      advertiserId: s.advertiser.id,
      offerId: s.offer.id,
      clickId: s.clickId,
      goal: 'sale',
      txid: 'remembered',
    });
    const conversionId = conversionIdFor(key);
    const activities = createActivities({ models: stack.models, now: () => new Date() });
    await activities.screenConversion({
      conversionId,
      dedupeKey: key,
      singleKey: singleConversionKey({ clickId: s.clickId, goal: 'sale', allowMultiple: false, dedupeKey: key }),
      clickId: s.clickId,
      offerId: s.offer.id,
      affiliateId: s.affiliate.id,
      advertiserId: s.advertiser.id,
      goal: 'sale',
      txid: 'remembered',
      receivedAt: new Date().toISOString(),
      reversalWindowHours: 1,
    });
    const workflowId = conversionWorkflowId(conversionId);
    const describeError = () =>
      stack.client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => null,
          (err: Error) => err.message,
        );
    expect(await describeError()).toMatch(/not found/i);

    const again = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, txid: 'remembered' });
    expect(again.body).toEqual({ conversion_id: conversionId, result: 'duplicate' });
    // Answered from the projection: no second workflow was started for it, and no second row written.
    expect(await describeError()).toMatch(/not found/i);
    expect(await stack.models.Conversion.countDocuments({ click_id: s.clickId })).toBe(1);
  });
});

describe('postback refusals: 4xx naming what is wrong, nothing stored', () => {
  it('unknown click → 404 unknown_click; missing or wrong token → 401; unknown goal → 400', async () => {
    const s = await f.setup();
    const unknown = await f.http().get('/postback').query({ click_id: 'clk_nope', token: s.token });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'unknown_click']);
    const missing = await f.http().get('/postback').query({ click_id: s.clickId });
    expect([missing.status, missing.body.error]).toEqual([401, 'missing_token']);
    const other = await f.advertiser();
    const wrong = await f.http().get('/postback').query({ click_id: s.clickId, token: other.postback_token });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_token']);
    const goal = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, goal: 'nope' });
    expect([goal.status, goal.body.error]).toEqual([400, 'unknown_goal']);
    expect(await stack.models.Conversion.countDocuments({ click_id: s.clickId })).toBe(0);
  });

  it('an IP outside the advertiser allowlist → 403; inside → 200', async () => {
    const adv = await f.advertiser({ ip_allowlist: ['203.0.113.0/24'] });
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id);
    const clickId = await f.click(offer.id, aff.id);
    const outside = await f
      .http()
      .get('/postback')
      .set('X-Forwarded-For', '198.51.100.1')
      .query({ click_id: clickId, token: adv.postback_token });
    expect([outside.status, outside.body.error]).toEqual([403, 'ip_not_allowed']);
    const inside = await f
      .http()
      .get('/postback')
      .set('X-Forwarded-For', '203.0.113.9')
      .query({ click_id: clickId, token: adv.postback_token });
    expect(inside.status).toBe(200);
  });

  it('the allowlist reads addresses as the fraud rules and the SSRF guard do', async () => {
    const adv = await f.advertiser({ ip_allowlist: ['::ffff:203.0.113.0/120', '198.51.100.7'] });
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id);
    const clickId = await f.click(offer.id, aff.id);
    const from = (ip: string) =>
      f.http().get('/postback').set('X-Forwarded-For', ip).query({ click_id: clickId, token: adv.postback_token });
    // IPv4-compatible, not IPv4-mapped: another address than 198.51.100.7.
    const compatible = await from('::198.51.100.7');
    expect([compatible.status, compatible.body.error]).toEqual([403, 'ip_not_allowed']);
    // An IPv4-mapped CIDR covers the IPv4 addresses it maps.
    expect((await from('203.0.113.9')).status).toBe(200);
  });

  it.each([
    ['missing click_id', { txid: 'x' }, 'click_id'],
    ['repeated click_id', 'click_id=a&click_id=b', 'click_id'],
    ['bad amount', { click_id: 'c', amount: '1e9' }, 'amount'],
    ['bad currency', { click_id: 'c', currency: 'dollars' }, 'currency'],
    ['unknown status', { click_id: 'c', status: 'paid' }, 'status'],
  ])('%s → 400 naming %s', async (_name, query, field) => {
    const res = typeof query === 'string' ? await f.http().get(`/postback?${query}`) : await f.http().get('/postback').query(query);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.issues[0].path).toBe(field);
  });

  it('operator injection, malformed JSON, arrays and oversized bodies → 4xx', async () => {
    const injection = await f
      .http()
      .post('/postback')
      .send({ click_id: { $gt: '' }, token: { $ne: null } });
    expect(injection.status).toBe(400);
    const malformed = await f.http().post('/postback').set('Content-Type', 'application/json').send('{"click_id":');
    expect([malformed.status, malformed.body.error]).toEqual([400, 'invalid_body']);
    expect(
      (
        await f
          .http()
          .post('/postback')
          .send([{ click_id: 'a' }])
      ).status,
    ).toBe(400);
    const big = await f
      .http()
      .post('/postback')
      .send({ click_id: 'c', pad: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect((await f.http().get('/nope')).body.error).toBe('not_found');
  });
});

describe('advertiser receipt: GET /postback/status', () => {
  it("shows the advertiser its own conversion's status and reasons, by id or txid, and nobody else's", async () => {
    const s = await f.setup({ fraud: { blocked_sub_ids: ['bad'] } });
    const blockedClick = await f.click(s.offer.id, s.affiliate.id, { sub1: 'bad' });
    const res = await f.http().get('/postback').query({ click_id: blockedClick, token: s.token, txid: 'r-1' });
    expect(res.body.result).toBe('accepted'); // accepted at the edge…
    await conversion(res.body.conversion_id, 'rejected');

    const receipt = await f.http().get('/postback/status').query({ conversion_id: res.body.conversion_id, token: s.token });
    expect(receipt.status).toBe(200);
    // …and the advertiser can see that it was rejected, and why.
    expect(receipt.body.conversions).toEqual([
      expect.objectContaining({
        conversion_id: res.body.conversion_id,
        status: 'rejected',
        reason_codes: ['blocked_sub_id'],
        txid: 'r-1',
      }),
    ]);
    const byTxid = await f.http().get('/postback/status').set('X-Postback-Token', s.token).query({ txid: 'r-1' });
    expect(byTxid.body.conversions.map((c: { conversion_id: string }) => c.conversion_id)).toEqual([res.body.conversion_id]);

    const other = await f.advertiser();
    const foreign = await f.http().get('/postback/status').query({ conversion_id: res.body.conversion_id, token: other.postback_token });
    expect([foreign.status, foreign.body.error]).toEqual([404, 'not_found']);
    expect(JSON.stringify(foreign.body)).not.toContain('rejected');
    expect((await f.http().get('/postback/status').query({ conversion_id: res.body.conversion_id })).status).toBe(401);
    expect((await f.http().get('/postback/status').query({ conversion_id: res.body.conversion_id, token: 'pt_wrong' })).status).toBe(401);
    expect((await f.http().get('/postback/status').query({ token: s.token })).status).toBe(400);
  });
});
