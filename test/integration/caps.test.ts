import { createActivities } from '../../activities';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('caps');

const goals = [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }];

async function postAll(token: string, clickIds: string[], extra: Record<string, string> = {}) {
  const responses = await Promise.all(
    clickIds.map((click_id) =>
      f
        .http()
        .get('/postback')
        .query({ click_id, token, ...extra }),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(clickIds.map(() => 200));
  return responses.map((r) => r.body.conversion_id as string);
}

const settled = (ids: string[]) =>
  waitFor(
    `${ids.length} conversions to leave processing`,
    async () => {
      const docs = await stack.models.Conversion.find({ _id: { $in: ids } }).lean();
      return docs.length === ids.length && docs.every((d) => d.status !== 'processing') ? docs : undefined;
    },
    120_000,
  );

describe('caps (invariant 4: reserved ≤ limit at every moment, under any concurrency)', () => {
  it('200 concurrent conversions against a cap of 10: exactly 10 approved, 190 rejected with cap_reached', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id, {
      goals,
      caps: [{ metric: 'conversions', period: 'day', limit: 10, timezone: 'Europe/Berlin' }],
    });
    const clicks: string[] = [];
    for (let i = 0; i < 200; i += 50) clicks.push(...(await Promise.all(Array.from({ length: 50 }, () => f.click(offer.id, aff.id)))));

    // Sample the counter while the conversions run: the limit must hold at every sample, not just at the end.
    let sampling = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (sampling) {
        const counter = await stack.models.CapCounter.findOne({ offer_id: offer.id }).lean();
        if (counter) samples.push(counter.reserved);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const ids = await postAll(adv.postback_token, clicks);
    const docs = await settled(ids);
    sampling = false;
    await sampler;

    expect(docs.filter((d) => d.status === 'approved')).toHaveLength(10);
    const rejected = docs.filter((d) => d.status === 'rejected');
    expect(rejected).toHaveLength(190);
    expect(rejected.every((d) => d.reason_codes.includes('cap_reached'))).toBe(true);
    const counter = await stack.models.CapCounter.findOne({ offer_id: offer.id }).lean();
    expect(counter).toMatchObject({ reserved: 10, limit: 10 });
    expect(counter!.reservations).toHaveLength(10);
    expect(samples.length).toBeGreaterThan(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(10);
    // Only the approved ones are booked: 10 × 5.00.
    const payable = await stack.models.LedgerEntry.aggregate([
      { $match: { offer_id: offer.id, account: 'affiliate_payable' } },
      { $group: { _id: null, sum: { $sum: '$amount_minor' } } },
    ]);
    expect(payable[0].sum).toBe(5000);
  }, 180_000); // 200 workflows on a 2-core machine shared with the other test files

  it('a payout cap counts money: 12.00 fits two 5.00 payouts, not three', async () => {
    const s = await f.setup({ goals, caps: [{ metric: 'payout', period: 'total', limit: '12.00' }] });
    const more = await Promise.all([f.click(s.offer.id, s.affiliate.id), f.click(s.offer.id, s.affiliate.id)]);
    const ids: string[] = [];
    for (const click of [s.clickId, ...more]) ids.push(...(await postAll(s.token, [click])));
    const docs = await settled(ids);
    expect(docs.map((d) => d.status).sort()).toEqual(['approved', 'approved', 'rejected']);
    expect(await stack.models.CapCounter.findOne({ offer_id: s.offer.id }).lean()).toMatchObject({
      reserved: 1000,
      limit: 1200,
    });
  });

  it('per-affiliate caps count each affiliate apart; on_exceed hold holds instead of rejecting', async () => {
    const adv = await f.advertiser();
    const [a1, a2] = await Promise.all([f.affiliate(), f.affiliate()]);
    const offer = await f.offer(adv.id, {
      goals,
      caps: [{ metric: 'conversions', period: 'week', limit: 1, per_affiliate: true, on_exceed: 'hold' }],
    });
    const clicks = await Promise.all([f.click(offer.id, a1.id), f.click(offer.id, a1.id), f.click(offer.id, a2.id)]);
    // One at a time, each decided before the next: which one finds the cap full must not be a race.
    const ids: string[] = [];
    for (const click of clicks) {
      const [id] = await postAll(adv.postback_token, [click]);
      await settled([id!]);
      ids.push(id!);
    }
    const docs = await settled(ids);
    const byId = new Map(docs.map((d) => [d._id, d]));
    expect(byId.get(ids[0]!)!.status).toBe('approved');
    expect(byId.get(ids[1]!)).toMatchObject({ status: 'held', reason_codes: ['cap_reached'] });
    expect(byId.get(ids[2]!)!.status).toBe('approved');
  });

  it('a declined conversion gives its place back', async () => {
    const s = await f.setup({
      goals: [{ ...goals[0], default_status: 'pending' }],
      caps: [{ metric: 'conversions', period: 'month', limit: 1 }],
    });
    const [first] = await postAll(s.token, [s.clickId]);
    await settled([first!]);
    const second = await postAll(s.token, [await f.click(s.offer.id, s.affiliate.id)]);
    expect((await settled(second))[0]!.status).toBe('rejected');

    const declined = await f.admin('post', `/api/conversions/${first}/status`).send({ status: 'declined', reason: 'invalid order' });
    expect(declined.status).toBe(200);
    expect(await stack.models.CapCounter.findOne({ offer_id: s.offer.id }).lean()).toMatchObject({
      reserved: 0,
      reservations: [],
    });
    const third = await postAll(s.token, [await f.click(s.offer.id, s.affiliate.id)]);
    expect((await settled(third))[0]!.status).toBe('pending');
  });
});

describe('reserveCaps and releaseCaps activities are idempotent', () => {
  const offer = {
    id: 'off_direct',
    advertiser_id: 'adv',
    name: 'o',
    url: 'https://x.example',
    currency: 'USD',
    attribution_window_hours: 24,
    default_goal: 'sale',
    goals: [],
    caps: [
      {
        id: 'c1',
        metric: 'conversions' as const,
        period: 'day' as const,
        limit: '5',
        timezone: 'Europe/Berlin',
        on_exceed: 'reject' as const,
      },
    ],
    fraud: {},
    affiliate_overrides: [],
    active: true,
  };

  it('a retried reservation reserves once, a repeated release gives back once', async () => {
    const activities = createActivities({ models: stack.models, now: () => new Date() });
    const input = {
      conversionId: 'cv_retry',
      offer,
      goal: 'sale',
      affiliateId: 'aff',
      payoutMinor: 500,
      at: '2026-11-25T10:00:00Z',
    };
    const first = await activities.reserveCaps(input);
    const again = await activities.reserveCaps(input);
    expect(first).toEqual(again);
    const counterId = first.ok ? first.reservations[0]!.counterId : '';
    expect(await stack.models.CapCounter.findById(counterId).lean()).toMatchObject({ reserved: 1 });
    await activities.releaseCaps({ conversionId: 'cv_retry', reservations: first.ok ? first.reservations : [] });
    await activities.releaseCaps({ conversionId: 'cv_retry', reservations: first.ok ? first.reservations : [] });
    expect(await stack.models.CapCounter.findById(counterId).lean()).toMatchObject({ reserved: 0 });
  });

  it('windows are cut in the cap time zone: 23:30 UTC and 00:30 UTC are one Berlin day', async () => {
    const activities = createActivities({ models: stack.models, now: () => new Date() });
    const late = await activities.reserveCaps({
      conversionId: 'cv_tz1',
      offer,
      goal: 'sale',
      affiliateId: 'aff',
      payoutMinor: 1,
      at: '2026-11-24T23:30:00Z',
    });
    const early = await activities.reserveCaps({
      conversionId: 'cv_tz2',
      offer,
      goal: 'sale',
      affiliateId: 'aff',
      payoutMinor: 1,
      at: '2026-11-25T00:30:00Z',
    });
    const before = await activities.reserveCaps({
      conversionId: 'cv_tz3',
      offer,
      goal: 'sale',
      affiliateId: 'aff',
      payoutMinor: 1,
      at: '2026-11-24T22:30:00Z',
    });
    const ids = [late, early, before].map((r) => (r.ok ? r.reservations[0]!.counterId : 'none'));
    expect(ids[0]).toBe(ids[1]); // both 2026-11-25 in Berlin (UTC+1)
    expect(ids[2]).not.toBe(ids[0]); // 23:30 Berlin on the 24th
  });
});
