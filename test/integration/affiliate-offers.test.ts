import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/** What an affiliate's console reads about itself: its offers (own payout, tracking link) and its balance split. */
const { stack, f } = useTestStack('aff_offers');
const as = (key: string) => ({ get: (path: string) => f.http().get(path).set('Authorization', `Bearer ${key}`) });
async function keyFor(affiliateId: string) {
  const res = await f.admin('post', '/api/keys').send({ name: 'console', principal: `affiliate:${affiliateId}`, read_only: true });
  expect(res.status).toBe(201);
  return res.body.key as string;
}
const statusOf = (id: string, status: string) =>
  waitFor(`conversion ${id} to be ${status}`, async () => (await stack.models.Conversion.findById(id).lean())?.status === status);

describe('GET /api/affiliates/{id}/offers', () => {
  it('gives the affiliate its own payout per goal (its override wins), never revenue, and a tracking link that answers 302', async () => {
    const advertiser = await f.advertiser();
    const mine = await f.affiliate({ name: 'Mine' });
    const other = await f.affiliate({ name: 'Other' });
    const offer = await f.offer(advertiser.id, {
      name: 'Shoes',
      goals: [
        { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } },
        { key: 'lead', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '15' }, default_status: 'pending' },
      ],
      affiliate_overrides: [{ affiliate_id: mine.id, goal: 'sale', payout: { type: 'fixed', amount: '7.50' } }],
    });
    const inactive = await f.offer(advertiser.id, { name: 'Gone' });
    await f.admin('delete', `/api/offers/${inactive.id}`).expect(200);

    const res = await as(await keyFor(mine.id)).get(`/api/affiliates/${mine.id}/offers`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((o: { id: string }) => o.id)).toEqual([offer.id]);
    const [listed] = res.body.data;
    expect(listed.goals).toEqual([
      { key: 'sale', payout: { type: 'fixed', amount: '7.50' }, default_status: 'approved' },
      { key: 'lead', payout: { type: 'percent', amount: '10' }, default_status: 'pending' },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/revenue|advertiser|caps|fraud|8\.00/);
    expect(listed.sub_params).toEqual(['sub1', 'sub2', 'sub3', 'sub4', 'sub5']);

    const link = new URL(listed.tracking_url);
    expect(Object.fromEntries(link.searchParams)).toEqual({ offer_id: offer.id, aff_id: mine.id });
    const click = await f.http().get(`${link.pathname}${link.search}&sub1=spring`);
    expect(click.status).toBe(302);
    expect(click.headers.location).toContain('s1=spring');

    // The other affiliate sees the base payout; and neither sees the other's list.
    const theirs = await f.admin('get', `/api/affiliates/${other.id}/offers`);
    expect(theirs.body.data[0].goals[0].payout).toEqual({ type: 'fixed', amount: '5.00' });
    const foreign = await as(await keyFor(mine.id)).get(`/api/affiliates/${other.id}/offers`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe(`no affiliate with id "${other.id}"`);
  });
});

describe('GET /api/affiliates/{id}/balance split', () => {
  it('splits approved (the ledger), pending and held per currency', async () => {
    const s = await f.setup({
      goals: [
        { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } },
        { key: 'lead', payout: { type: 'fixed', amount: '2.25' }, revenue: { type: 'fixed', amount: '3.00' }, default_status: 'pending' },
      ],
    });
    const approved = await f.convert(s, { txid: 't1' });
    const pending = await f.convert({ ...s, clickId: await f.click(s.offer.id, s.affiliate.id) }, { txid: 't2', goal: 'lead' });
    // Held for review: converted sooner after the click than this offer allows.
    const strict = await f.offer(s.advertiser.id, { fraud: { min_seconds_to_convert: 3600, action: 'hold' } });
    const held = await f.convert({ token: s.token, clickId: await f.click(strict.id, s.affiliate.id) }, { txid: 't3' });
    await statusOf(approved, 'approved');
    await statusOf(pending, 'pending');
    await statusOf(held, 'held');

    const res = await as(await keyFor(s.affiliate.id)).get(`/api/affiliates/${s.affiliate.id}/balance`);
    expect(res.status).toBe(200);
    expect(res.body.balances).toEqual([{ currency: 'USD', payable: '5.00', entries: 1 }]);
    expect(res.body.split).toEqual([
      { currency: 'USD', approved: '5.00', pending: '2.25', held: '5.00', pending_conversions: 1, held_conversions: 1 },
    ]);
  });
});
