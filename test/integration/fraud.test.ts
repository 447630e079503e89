import request from 'supertest';
import { createApp } from '../../api/app';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('fraud');

const goals = [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }];

const settled = (id: string) =>
  waitFor(`conversion ${id} to be decided`, async () => {
    const doc = await stack.models.Conversion.findById(id).lean();
    return doc && doc.status !== 'processing' ? doc : undefined;
  });

/** A click made `ageSeconds` ago (through an app whose clock is set back), then a postback now. */
async function convertAfter(
  fraud: Record<string, unknown>,
  ageSeconds: number,
  postback: Record<string, string> = {},
  clickIp = '198.51.100.7',
) {
  const adv = await f.advertiser();
  const aff = await f.affiliate();
  const offer = await f.offer(adv.id, { goals, fraud, attribution_window_hours: 24 });
  const past = createApp({
    config: stack.config,
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
    now: () => new Date(Date.now() - ageSeconds * 1000),
  });
  const click = await request(past.callback())
    .get('/click')
    .query({ offer_id: offer.id, aff_id: aff.id, sub2: postback.sub2 ?? 'ok' })
    .set('X-Forwarded-For', clickIp);
  const clickId = new URL(click.headers.location!).searchParams.get('cid')!;
  const res = await f
    .http()
    .get('/postback')
    .query({ click_id: clickId, token: adv.postback_token, ...postback });
  expect(res.status).toBe(200);
  const doc = await settled(res.body.conversion_id);
  return { doc, offer };
}

describe('fraud screen: each rule, both outcomes, evidence stored', () => {
  it.each([
    ['too_fast', { min_seconds_to_convert: 60 }, 5, 600],
    ['too_slow', { max_seconds_to_convert: 3600 }, 7200, 600],
    ['attribution_window_expired', {}, 25 * 3600, 3600],
  ] as const)('%s rejects when it applies and passes when it does not', async (code, fraud, badAge, goodAge) => {
    const bad = await convertAfter(fraud, badAge);
    expect(bad.doc.status).toBe('rejected');
    expect(bad.doc.reason_codes).toContain(code);
    expect(bad.doc.fraud.reasons.map((r: { code: string }) => r.code)).toContain(code);
    expect(await stack.models.LedgerEntry.countDocuments({ conversion_id: bad.doc._id })).toBe(0);
    const good = await convertAfter(fraud, goodAge);
    expect(good.doc.status).toBe('approved');
    expect(good.doc.fraud).toMatchObject({ verdict: 'pass', reasons: [] });
  });

  it('blocked_sub_id rejects a blocked sub and passes others', async () => {
    const bad = await convertAfter({ blocked_sub_ids: ['spam-site'] }, 600, { sub2: 'spam-site' });
    expect(bad.doc.reason_codes).toEqual(['blocked_sub_id']);
    const good = await convertAfter({ blocked_sub_ids: ['spam-site'] }, 600, { sub2: 'fine-site' });
    expect(good.doc.status).toBe('approved');
  });

  it('require_same_ip compares the click IP with the postback ip parameter', async () => {
    const bad = await convertAfter({ require_same_ip: true }, 600, { ip: '203.0.113.50' }, '198.51.100.7');
    expect(bad.doc.reason_codes).toEqual(['ip_mismatch']);
    const good = await convertAfter({ require_same_ip: true }, 600, { ip: '198.51.100.7' }, '198.51.100.7');
    expect(good.doc.status).toBe('approved');
  });

  it('max_conversions_per_ip_per_day counts earlier conversions of the offer from the same IP', async () => {
    const s = await f.setup({ goals, fraud: { max_conversions_per_ip_per_day: 1 } });
    const other = await f.click(s.offer.id, s.affiliate.id);
    const first = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, ip: '192.0.2.1' });
    expect((await settled(first.body.conversion_id)).status).toBe('approved');
    const second = await f.http().get('/postback').query({ click_id: other, token: s.token, ip: '192.0.2.1' });
    const doc = await settled(second.body.conversion_id);
    expect([doc.status, doc.reason_codes]).toEqual(['rejected', ['ip_limit_exceeded']]);
  });

  it('max_conversions_per_ip_per_day counts an IP however it is written, as require_same_ip compares it', async () => {
    const s = await f.setup({ goals, fraud: { max_conversions_per_ip_per_day: 1 } });
    const other = await f.click(s.offer.id, s.affiliate.id);
    const first = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, ip: '192.0.2.1' });
    expect((await settled(first.body.conversion_id)).status).toBe('approved');
    const second = await f.http().get('/postback').query({ click_id: other, token: s.token, ip: '::FFFF:192.0.2.1' });
    const doc = await settled(second.body.conversion_id);
    expect([doc.status, doc.reason_codes, doc.ip]).toEqual(['rejected', ['ip_limit_exceeded'], '192.0.2.1']);
  });

  it("an offer's action hold holds instead of rejecting, and ops can approve it", async () => {
    const { doc } = await convertAfter({ min_seconds_to_convert: 60, action: 'hold' }, 5);
    expect([doc.status, doc.reason_codes]).toEqual(['held', ['too_fast']]);
    const approved = await f.admin('post', `/api/conversions/${doc._id}/status`).send({ status: 'approved', reason: 'reviewed' });
    expect(approved.body).toMatchObject({ status: 'approved', payout: '5.00' });
  });

  it('a deactivated offer rejects conversions on its old clicks (offer_inactive)', async () => {
    const s = await f.setup({ goals });
    expect((await f.admin('delete', `/api/offers/${s.offer.id}`)).status).toBe(200);
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token });
    const doc = await settled(res.body.conversion_id);
    expect([doc.status, doc.reason_codes]).toEqual(['rejected', ['offer_inactive']]);
  });
});
