import Big from 'big.js';
import { fromMinor } from '../../domain/money';
import { ledgerBooked } from '../../domain/rollup';
import { newId } from '../../models/ids';
import { addRollupDeltas } from '../../rollups/apply';
import { countClick } from '../../rollups/clicks';
import { useTestStack } from '../support/preamble';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('overview');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const overview = (query: Record<string, string>) => f.admin('get', '/api/overview').query(query);
const report = (query: Record<string, string>) => f.admin('get', '/api/reports').query(query);

interface Series {
  currency: string;
  clicks: number[];
  conversions: Record<string, number[]>;
  payout: string[];
  revenue: string[];
}

/** Per currency: payout and revenue that the ledger collection itself holds for [from, to). */
async function ledgerSums(from: string, to: string) {
  const entries = await stack.models.LedgerEntry.find({ created_at: { $gte: new Date(from), $lt: new Date(to) } }).lean();
  const sums = new Map<string, { payout: number; revenue: number }>();
  for (const e of entries) {
    const s = sums.get(e.currency) ?? { payout: 0, revenue: 0 };
    if (e.account === 'affiliate_payable') s.payout += e.amount_minor;
    else s.revenue += e.amount_minor;
    sums.set(e.currency, s);
  }
  return sums;
}

/** The overview's totals are the report's for the same window and zone, its series sum to them, and money equals the ledger. */
async function expectAgreement(body: { from: string; to: string; timezone: string; series: Series[]; totals: unknown[] }) {
  const same = await report({ group_by: 'day', from: body.from, to: body.to, timezone: body.timezone });
  expect(same.status).toBe(200);
  expect(body.totals).toEqual(same.body.totals);
  const raw = await report({ group_by: 'day', from: body.from, to: body.to, timezone: body.timezone, source: 'raw' });
  expect(body.totals).toEqual(raw.body.totals);
  const sums = await ledgerSums(body.from, body.to);
  for (const total of body.totals as {
    currency: string;
    clicks: number;
    payout: string;
    revenue: string;
    conversions: { total: number };
  }[]) {
    const s = sums.get(total.currency) ?? { payout: 0, revenue: 0 };
    expect([total.payout, total.revenue]).toEqual([fromMinor(s.payout, total.currency), fromMinor(s.revenue, total.currency)]);
    const series = body.series.find((x) => x.currency === total.currency)!;
    const sum = (xs: string[]) => xs.reduce((a, b) => a.plus(b), new Big(0)).toFixed();
    expect(sum(series.payout)).toBe(new Big(total.payout).toFixed());
    expect(sum(series.revenue)).toBe(new Big(total.revenue).toFixed());
    expect(series.clicks.reduce((a, b) => a + b, 0)).toBe(total.clicks);
    expect(series.conversions.total!.reduce((a, b) => a + b, 0)).toBe(total.conversions.total);
  }
}

describe('GET /api/overview over postbacks made through the pipeline', () => {
  it('gives the report’s totals and the ledger’s money, delivery figures from the attempt rows and cap use now', async () => {
    const setup = await f.setup({
      currency: 'USD',
      goals: [
        { key: 'sale', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '15' }, default_status: 'approved' },
      ],
      caps: [{ metric: 'conversions', period: 'day', limit: 100, timezone: 'Asia/Tokyo' }],
    });
    await f.endpoint(setup.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}`, events: ['approved'] });
    const secondClick = await f.click(setup.offer.id, setup.affiliate.id);
    await f.click(setup.offer.id, setup.affiliate.id);
    const first = await f.convert(setup, { txid: 'o-1', amount: '123.45' }); // 12.345 → 12.35, 18.5175 → 18.52
    const second = await f.convert({ clickId: secondClick, token: setup.token }, { txid: 'o-2', amount: '10.01' }); // 1.00, 1.50
    for (const id of [first, second]) await waitFor(`deliveries of ${id}`, () => f.deliveriesIn(id, 'succeeded'), 30_000);

    for (const [last, granularity, source] of [
      ['24h', 'hour', 'rollups'],
      ['6h', 'minute', 'raw'],
      ['30d', 'day', 'rollups'],
    ] as const) {
      const res = await overview({ last, timezone: 'Asia/Tokyo' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ timezone: 'Asia/Tokyo', granularity, source });
      await expectAgreement(res.body);
      expect(res.body.totals).toEqual([
        expect.objectContaining({ currency: 'USD', clicks: 3, payout: '13.35', revenue: '20.02', epc: '4.45', conversion_rate: 0.666667 }),
      ]);
      const attempts = await stack.models.DeliveryAttempt.countDocuments({
        at: { $gte: new Date(res.body.from), $lt: new Date(res.body.to) },
      });
      expect(res.body.deliveries.totals).toMatchObject({ attempts, succeeded: attempts, success_rate: 1 });
      expect(attempts).toBe(2);
      expect(res.body.deliveries.totals.p95_latency_ms).toEqual(expect.any(Number));
    }

    const res = await overview({ last: '24h', timezone: 'Asia/Tokyo' });
    expect(res.body.caps).toEqual([
      expect.objectContaining({
        offer_id: setup.offer.id,
        metric: 'conversions',
        period: 'day',
        timezone: 'Asia/Tokyo',
        used: '2',
        limit: '100',
      }),
    ]);
    expect(res.body.caps[0].used_fraction).toBe(0.02);
  });
});

describe('GET /api/overview periods in a zone', () => {
  let offerId: string;
  let affiliateId: string;
  let advertiserId: string;
  beforeAll(async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id, { currency: 'EUR' });
    [offerId, affiliateId, advertiserId] = [offer.id, aff.id, adv.id];
  });

  /** A click and a payout at `at`, written as the click route and recordTransition write them (row and roll-up). */
  async function trafficAt(iso: string, payoutMinor: number) {
    const at = new Date(iso);
    const click = {
      _id: newId('clk'),
      offer_id: offerId,
      affiliate_id: affiliateId,
      advertiser_id: advertiserId,
      subs: {},
      created_at: at,
    };
    await stack.models.Click.collection.insertOne(click as never);
    await countClick(stack.models, click);
    const entry = {
      _id: newId('led'),
      conversion_id: `cv_${click._id}`,
      seq: 0,
      account: 'affiliate_payable',
      affiliate_id: affiliateId,
      advertiser_id: advertiserId,
      offer_id: offerId,
      amount_minor: payoutMinor,
      currency: 'EUR',
      status_from: 'processing',
      status_to: 'approved',
      created_at: at,
    };
    await stack.models.LedgerEntry.collection.insertOne(entry as never);
    await addRollupDeltas(stack.models, [
      ledgerBooked({ ...entry, key: { offer_id: offerId, affiliate_id: affiliateId, goal: 'sale', currency: 'EUR' } }),
    ]);
  }

  it('cuts hours at New York’s repeated hour when DST ends: 25 periods, 01:30 EDT and 01:30 EST apart', async () => {
    await trafficAt('2025-11-02T05:30:00Z', 100); // 01:30 EDT
    await trafficAt('2025-11-02T06:30:00Z', 200); // 01:30 EST, an hour later
    await trafficAt('2025-11-02T06:59:59.999Z', 1);
    await trafficAt('2025-11-02T07:00:00Z', 2);
    const res = await overview({ from: '2025-11-02', to: '2025-11-03', timezone: 'America/New_York' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      granularity: 'hour',
      source: 'rollups',
      from: '2025-11-02T04:00:00.000Z',
      to: '2025-11-03T05:00:00.000Z',
    });
    expect(res.body.periods).toHaveLength(25);
    expect(res.body.periods.slice(1, 4)).toEqual(['2025-11-02T05:00:00.000Z', '2025-11-02T06:00:00.000Z', '2025-11-02T07:00:00.000Z']);
    const [eur] = res.body.series as Series[];
    expect(eur!.clicks.slice(0, 5)).toEqual([0, 1, 2, 1, 0]);
    expect(eur!.payout.slice(0, 5)).toEqual(['0.00', '1.00', '2.01', '0.02', '0.00']);
    await expectAgreement(res.body);
  });

  it('cuts days at Tokyo’s midnight (15:00 UTC), across a UTC month end, and minutes on the minute', async () => {
    await trafficAt('2025-10-31T14:59:59.999Z', 1000); // 23:59:59.999 on 31 October in Tokyo
    await trafficAt('2025-10-31T15:00:00Z', 2000); // midnight, 1 November in Tokyo (still October in UTC)
    await trafficAt('2025-10-31T15:01:00Z', 4000);
    const days = await overview({ from: '2025-10-25', to: '2025-11-04', timezone: 'Asia/Tokyo' });
    expect(days.status).toBe(200);
    expect(days.body).toMatchObject({ granularity: 'day', source: 'rollups' });
    expect(days.body.periods).toHaveLength(10);
    const day = (iso: string) => days.body.periods.indexOf(iso);
    const [eur] = days.body.series as Series[];
    expect(eur!.payout[day('2025-10-30T15:00:00.000Z')]).toBe('10.00');
    expect(eur!.payout[day('2025-10-31T15:00:00.000Z')]).toBe('60.00');
    expect(eur!.clicks[day('2025-10-31T15:00:00.000Z')]).toBe(2);
    await expectAgreement(days.body);

    const minutes = await overview({ from: '2025-11-01T00:00', to: '2025-11-01T06:00', timezone: 'Asia/Tokyo' });
    expect(minutes.status).toBe(200);
    expect(minutes.body).toMatchObject({ granularity: 'minute', source: 'raw', from: '2025-10-31T15:00:00.000Z' });
    expect(minutes.body.periods).toHaveLength(360);
    expect((minutes.body.series as Series[])[0]!.payout.slice(0, 3)).toEqual(['20.00', '40.00', '0.00']);
    await expectAgreement(minutes.body);
  });

  it('counts delivery attempts, their p95 and the dead-letter depth per period', async () => {
    const attempt = (at: string, outcome: string, duration_ms?: number) =>
      stack.models.DeliveryAttempt.collection.insertOne({ _id: newId('att'), at: new Date(at), outcome, duration_ms } as never);
    await attempt('2025-06-01T10:00:05Z', 'success', 40);
    await attempt('2025-06-01T10:00:50Z', 'retry', 900);
    await attempt('2025-06-01T10:00:59Z', 'inactive');
    await attempt('2025-06-01T10:01:00Z', 'success', 12);
    const dead = (updated: string, status = 'dead_lettered') =>
      stack.models.Delivery.collection.insertOne({ _id: newId('dl'), status, updated_at: new Date(updated) } as never);
    await dead('2025-06-01T09:00:00Z'); // before the window
    await dead('2025-06-01T10:00:30Z');
    await dead('2025-06-01T10:02:00Z');
    await dead('2025-06-01T10:02:10Z', 'succeeded'); // redelivered: no longer a dead letter
    const res = await overview({ from: '2025-06-01T10:00:00Z', to: '2025-06-01T10:05:00Z', timezone: 'UTC' });
    expect(res.status).toBe(200);
    expect(res.body.deliveries).toEqual({
      attempts: [3, 1, 0, 0, 0],
      succeeded: [1, 1, 0, 0, 0],
      success_rate: [0.333333, 1, null, null, null],
      p95_latency_ms: [900, 12, null, null, null],
      totals: { attempts: 4, succeeded: 2, success_rate: 0.5, p95_latency_ms: 900 },
    });
    expect(res.body.dead_letters.depth).toEqual([2, 2, 3, 3, 3]);
    expect(res.body.dead_letters.now).toBe(await stack.models.Delivery.countDocuments({ status: 'dead_lettered' }));
  });

  it('chooses the period by the range: minutes up to 6 hours, hours up to 7 days, days beyond', async () => {
    for (const [to, granularity, periods] of [
      ['2025-06-01T06:00:00Z', 'minute', 360],
      ['2025-06-01T07:00:00Z', 'hour', 7],
      ['2025-06-08T00:00:00Z', 'hour', 168],
      ['2025-06-09T00:00:00Z', 'day', 8],
      ['2026-06-01T00:00:00Z', 'day', 365],
    ] as const) {
      const res = await overview({ from: '2025-06-01T00:00:00Z', to, timezone: 'UTC' });
      expect(res.status).toBe(200);
      expect([to, res.body.granularity, res.body.periods.length]).toEqual([to, granularity, periods]);
    }
  });
});

describe('GET /api/overview refuses bad input, naming the field', () => {
  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ last: '3w' }, 'last'],
    [{ last: '400d' }, 'last'],
    [{ last: '24h', from: '2025-06-01' }, 'last'],
    [{ from: '2025-01-01', to: '2026-06-01' }, 'to'],
    [{ from: '2025-06-02', to: '2025-06-01' }, 'to'],
    [{ from: 'yesterday', to: '2025-06-01' }, 'from'],
    [{ timezon: 'UTC' }, ''],
  ])('%j → 400 naming %s', async (query, field) => {
    const res = await overview(query as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(field);
  });

  it('keeps the query when /ui redirects to /ui/, so a shared overview link keeps its range and zone', async () => {
    const res = await f.http().get('/ui?last=6h&tz=Asia%2FTokyo');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/ui/?last=6h&tz=Asia%2FTokyo');
  });

  it('needs the admin key or a session', async () => {
    expect((await f.http().get('/api/overview')).status).toBe(401);
  });
});
