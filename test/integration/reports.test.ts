import Big from 'big.js';
import Koa from 'koa';
import request from 'supertest';
import { adminPrincipal } from '../../api/access/principal';
import { errorHandler } from '../../api/errors';
import { mountRoutes } from '../../api/route';
import { reportRoutes } from '../../api/routes/reports';
import { fromMinor } from '../../domain/money';
import { newId } from '../../models/ids';
import { countClick, type CountedClick } from '../../rollups/clicks';
import { rebuildRollups } from '../../rollups/rebuild';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/** The report routes alone, as the admin (the app's authenticate() is not in these small apps). */
const asAdmin = (ctx: Koa.Context, next: Koa.Next) => {
  ctx.state.principal = adminPrincipal();
  return next();
};

const { stack, f } = useTestStack('reports');

const report = (query: Record<string, string>) => f.admin('get', '/api/reports').query(query);

interface Figures {
  currency: string;
  clicks: number | null;
  trafficback: number | null;
  trafficback_reasons: Record<string, number> | null;
  conversions: Record<string, number>;
  payout: string;
  revenue: string;
  margin: string;
  conversion_rate: number | null;
  epc: string | null;
}
type Row = Figures & { day?: string; offer_id?: string; affiliate_id?: string; goal?: string | null };

/** What the ledger collection itself says, per currency, for entries booked in [from, to). */
async function ledgerSums(from: Date, to: Date): Promise<Map<string, { payout: number; revenue: number }>> {
  const entries = await stack.models.LedgerEntry.find({ created_at: { $gte: from, $lt: to } }).lean();
  const sums = new Map<string, { payout: number; revenue: number }>();
  for (const e of entries) {
    const s = sums.get(e.currency) ?? { payout: 0, revenue: 0 };
    if (e.account === 'affiliate_payable') s.payout += e.amount_minor;
    else s.revenue += e.amount_minor;
    sums.set(e.currency, s);
  }
  return sums;
}

/** Rows and totals both equal the ledger, per currency, to the minor unit. */
async function expectMatchesLedger(body: { from: string; to: string; rows: Row[]; totals: Figures[] }) {
  const sums = await ledgerSums(new Date(body.from), new Date(body.to));
  expect(sums.size).toBeGreaterThan(0);
  for (const [currency, s] of sums) {
    const total = body.totals.find((t) => t.currency === currency)!;
    expect([total.payout, total.revenue, total.margin]).toEqual([
      fromMinor(s.payout, currency),
      fromMinor(s.revenue, currency),
      fromMinor(s.revenue - s.payout, currency),
    ]);
    const rows = body.rows.filter((r) => r.currency === currency);
    const rowSum = (field: 'payout' | 'revenue') => rows.reduce((sum, r) => sum.plus(r[field]), new Big(0)).toFixed();
    expect(rowSum('payout')).toBe(new Big(fromMinor(s.payout, currency)).toFixed());
    expect(rowSum('revenue')).toBe(new Big(fromMinor(s.revenue, currency)).toFixed());
  }
  expect(body.totals.map((t) => t.currency).sort()).toEqual([...new Set(body.rows.map((r) => r.currency))].sort());
}

describe('GET /api/reports over conversions made through the pipeline', () => {
  it('sums to the ledger per currency, with a reversal, two currencies and goals', async () => {
    const adv = await f.advertiser();
    const aff1 = await f.affiliate();
    const aff2 = await f.affiliate();
    const usd = await f.offer(adv.id, {
      currency: 'USD',
      goals: [
        {
          key: 'sale',
          payout: { type: 'fixed', amount: '5.00' },
          revenue: { type: 'fixed', amount: '8.00' },
          default_status: 'approved',
        },
        {
          key: 'lead',
          payout: { type: 'fixed', amount: '1.25' },
          revenue: { type: 'fixed', amount: '2.00' },
          default_status: 'pending',
        },
      ],
    });
    const eur = await f.offer(adv.id, {
      currency: 'EUR',
      goals: [
        {
          key: 'sale',
          payout: { type: 'percent', amount: '10' },
          revenue: { type: 'percent', amount: '15' },
          default_status: 'approved',
        },
      ],
    });
    const usdClicks = [
      await f.click(usd.id, aff1.id),
      await f.click(usd.id, aff1.id),
      await f.click(usd.id, aff1.id),
      await f.click(usd.id, aff2.id),
    ];
    const eurClicks = [await f.click(eur.id, aff1.id), await f.click(eur.id, aff1.id)];

    const postback = async (query: Record<string, string>, status: string) => {
      const res = await f
        .http()
        .get('/postback')
        .query({ token: adv.postback_token, ...query });
      expect(res.status).toBe(200);
      const id: string = res.body.conversion_id;
      await waitFor(
        `conversion ${id} to be ${status}`,
        async () => (await stack.models.Conversion.findById(id).lean())?.status === status,
        30_000,
      );
      return id;
    };
    await postback({ click_id: usdClicks[0]!, txid: 'u-sale-1' }, 'approved'); // +5.00 / +8.00
    await postback({ click_id: usdClicks[1]!, txid: 'u-lead-2', goal: 'lead' }, 'pending'); // nothing booked
    const toReverse = await postback({ click_id: usdClicks[2]!, txid: 'u-sale-3' }, 'approved'); // +5.00, then -5.00
    await postback({ click_id: usdClicks[0]!, txid: 'u-lead-1', goal: 'lead' }, 'pending');
    await postback({ click_id: usdClicks[0]!, txid: 'u-lead-1', goal: 'lead', status: 'approved' }, 'approved'); // +1.25 / +2.00
    await postback({ click_id: eurClicks[0]!, txid: 'e-sale-1', amount: '123.45' }, 'approved'); // 12.345 → 12.35, 18.5175 → 18.52
    const reversal = await f.admin('post', `/api/conversions/${toReverse}/status`).send({ status: 'reversed', reason: 'chargeback' });
    expect(reversal.status).toBe(200);
    await waitFor(
      'the reversal to be booked',
      async () => (await stack.models.LedgerEntry.countDocuments({ conversion_id: toReverse })) === 4,
    );

    // Yesterday to the end of tomorrow: the whole test, even across midnight.
    const today = new Date();
    const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const window = { from: day(-1), to: day(2) };

    const byOffer = await report({ group_by: 'offer', ...window });
    expect(byOffer.status).toBe(200);
    expect(byOffer.body).toMatchObject({
      source: 'rollups', // kept by the steps that recorded the clicks, conversions and ledger lines
      group_by: ['offer'],
      timezone: 'UTC',
      from: `${window.from}T00:00:00.000Z`,
      to: `${window.to}T00:00:00.000Z`,
    });
    expect(byOffer.body.rows).toEqual(
      [
        {
          offer_id: usd.id,
          currency: 'USD',
          clicks: 4,
          trafficback: 0,
          trafficback_reasons: {},
          conversions: {
            total: 4,
            approved: 2,
            pending: 1,
            held: 0,
            declined: 0,
            reversed: 1,
            rejected: 0,
            processing: 0,
          },
          payout: '6.25',
          revenue: '10.00',
          margin: '3.75',
          conversion_rate: 1,
          epc: '1.56', // 6.25 / 4 = 1.5625
        },
        {
          offer_id: eur.id,
          currency: 'EUR',
          clicks: 2,
          trafficback: 0,
          trafficback_reasons: {},
          conversions: {
            total: 1,
            approved: 1,
            pending: 0,
            held: 0,
            declined: 0,
            reversed: 0,
            rejected: 0,
            processing: 0,
          },
          payout: '12.35',
          revenue: '18.52',
          margin: '6.17',
          conversion_rate: 0.5,
          epc: '6.18', // 12.35 / 2 = 6.175, half-up
        },
      ].sort((a, b) => (a.offer_id < b.offer_id ? -1 : 1)),
    );
    await expectMatchesLedger(byOffer.body);
    expect(byOffer.body.totals.map((t: Figures) => [t.currency, t.clicks, t.payout])).toEqual([
      ['EUR', 2, '12.35'],
      ['USD', 4, '6.25'],
    ]);

    // By goal: the ledger entries find their goal through their conversion; clicks have none.
    const byGoal = await report({ group_by: 'affiliate,goal', ...window });
    expect(byGoal.status).toBe(200);
    const cells = byGoal.body.rows.map((r: Row) => [
      r.affiliate_id === aff1.id ? 'aff1' : 'aff2',
      r.goal,
      r.currency,
      r.payout,
      r.clicks,
      r.epc,
      r.conversion_rate,
    ]);
    expect(cells).toEqual(
      expect.arrayContaining([
        ['aff1', 'lead', 'USD', '1.25', null, null, null],
        ['aff1', 'sale', 'USD', '5.00', null, null, null], // 5.00 + 5.00 - 5.00
        ['aff1', 'sale', 'EUR', '12.35', null, null, null],
      ]),
    );
    expect(cells).toHaveLength(3); // aff2 only clicked: no goal row for a click
    await expectMatchesLedger(byGoal.body);
    expect(byGoal.body.totals.find((t: Figures) => t.currency === 'USD')).toMatchObject({ clicks: 4, epc: '1.56' });

    // Grouped by day, however the window's days fall, the rows still add up to the ledger.
    const byDay = await report({ group_by: 'day,offer,affiliate,goal', ...window, timezone: 'Pacific/Kiritimati' });
    expect(byDay.status).toBe(200);
    await expectMatchesLedger(byDay.body);
  });
});

describe('GET /api/reports across a time-zone day boundary', () => {
  // In 2021, far from the pipeline test's "now", so the two never share a window.
  const seed = async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const usd = await f.offer(adv.id, { currency: 'USD' });
    const eur = await f.offer(adv.id, { currency: 'EUR' });
    const { Click, Conversion, LedgerEntry } = stack.models;
    const click = (id: string, offer: string, at: string) =>
      Click.create({ _id: id, offer_id: offer, affiliate_id: aff.id, advertiser_id: adv.id, created_at: new Date(at) });
    // status_seq as recordTransition leaves it: the number of the last transition applied.
    const conversion = (id: string, offer: string, currency: string, status: string, statusSeq: number, at: string) =>
      Conversion.create({
        _id: id,
        dedupe_key: `k-${id}`,
        workflow_id: `conversion-${id}`,
        advertiser_id: adv.id,
        offer_id: offer,
        affiliate_id: aff.id,
        click_id: `clk-${id}`,
        goal: 'sale',
        currency,
        status,
        status_seq: statusSeq,
        received_at: new Date(at),
        updated_at: new Date(at),
      });
    // Entries as recordTransition books them: a pair per transition, signed, with the conversion's currency.
    const book = (
      conv: string,
      seq: number,
      offer: string,
      currency: string,
      payout: number,
      revenue: number,
      from: string,
      to: string,
      at: string,
    ) =>
      LedgerEntry.create(
        (['affiliate_payable', 'advertiser_receivable'] as const).map((account) => ({
          _id: `${conv}:${seq}:${account}`,
          conversion_id: conv,
          seq,
          account,
          affiliate_id: aff.id,
          advertiser_id: adv.id,
          offer_id: offer,
          amount_minor: account === 'affiliate_payable' ? payout : revenue,
          currency,
          status_from: from,
          status_to: to,
          created_at: new Date(at),
        })),
      );
    const u = `cv_u_${usd.id}`;
    const e = `cv_e_${eur.id}`;
    await click(`clk_a_${usd.id}`, usd.id, '2021-11-24T12:00:00Z');
    await click(`clk_b_${usd.id}`, usd.id, '2021-11-24T23:30:00Z');
    await click(`clk_c_${eur.id}`, eur.id, '2021-11-25T03:30:00Z');
    await conversion(u, usd.id, 'USD', 'reversed', 2, '2021-11-24T23:30:00Z');
    await conversion(e, eur.id, 'EUR', 'approved', 1, '2021-11-25T03:30:00Z');
    await book(u, 1, usd.id, 'USD', 500, 800, 'processing', 'approved', '2021-11-24T23:30:00Z');
    await book(e, 1, eur.id, 'EUR', 1234, 2000, 'processing', 'approved', '2021-11-25T03:30:00Z');
    await book(u, 2, usd.id, 'USD', -500, -800, 'approved', 'reversed', '2021-11-26T00:30:00Z'); // the chargeback, two days on
    // Written behind the steps' backs, as rows from before the roll-ups would be: counted by a rebuild.
    await rebuildRollups(stack.models);
  };
  beforeAll(seed);

  const days = (rows: Row[]) => rows.map((r) => [r.day, r.currency, r.clicks, r.conversions.total, r.payout, r.revenue]);
  const window = { group_by: 'day', from: '2021-11-24', to: '2021-11-27' };

  it.each([
    [
      'UTC',
      [
        ['2021-11-24', 'USD', 2, 1, '5.00', '8.00'],
        ['2021-11-25', 'EUR', 1, 1, '12.34', '20.00'],
        ['2021-11-26', 'USD', 0, 0, '-5.00', '-8.00'],
      ],
    ],
    [
      // 23:30Z is 00:30 the next day; 00:30Z on the 26th is 01:30 on the 26th.
      'Europe/Berlin',
      [
        ['2021-11-24', 'USD', 1, 0, '0.00', '0.00'],
        ['2021-11-25', 'EUR', 1, 1, '12.34', '20.00'],
        ['2021-11-25', 'USD', 1, 1, '5.00', '8.00'],
        ['2021-11-26', 'USD', 0, 0, '-5.00', '-8.00'],
      ],
    ],
    [
      // 03:30Z on the 25th is 22:30 on the 24th; the chargeback at 00:30Z is 19:30 on the 25th.
      'America/New_York',
      [
        ['2021-11-24', 'EUR', 1, 1, '12.34', '20.00'],
        ['2021-11-24', 'USD', 2, 1, '5.00', '8.00'],
        ['2021-11-25', 'USD', 0, 0, '-5.00', '-8.00'],
      ],
    ],
  ])('in %s: the per-day split follows the zone, the totals equal the ledger', async (timezone, expected) => {
    const res = await report({ ...window, timezone });
    expect(res.status).toBe(200);
    expect(days(res.body.rows)).toEqual(expected);
    expect(res.body.totals).toEqual([
      {
        currency: 'EUR',
        clicks: 1,
        trafficback: 0,
        trafficback_reasons: {},
        conversions: {
          total: 1,
          approved: 1,
          pending: 0,
          held: 0,
          declined: 0,
          reversed: 0,
          rejected: 0,
          processing: 0,
        },
        payout: '12.34',
        revenue: '20.00',
        margin: '7.66',
        conversion_rate: 1,
        epc: '12.34',
      },
      {
        currency: 'USD',
        clicks: 2,
        trafficback: 0,
        trafficback_reasons: {},
        conversions: {
          total: 1,
          approved: 0,
          pending: 0,
          held: 0,
          declined: 0,
          reversed: 1,
          rejected: 0,
          processing: 0,
        },
        payout: '0.00',
        revenue: '0.00',
        margin: '0.00',
        conversion_rate: 0.5,
        epc: '0.00',
      },
    ]);
    await expectMatchesLedger(res.body);
  });

  it('takes from inclusive and to exclusive, to the millisecond', async () => {
    // From the USD approval up to (not including) the chargeback: the USD money is +5.00.
    const res = await report({ group_by: 'offer', from: '2021-11-24T23:30:00Z', to: '2021-11-26T00:30:00Z' });
    expect(res.status).toBe(200);
    expect(res.body.totals.map((t: Figures) => [t.currency, t.clicks, t.payout])).toEqual([
      ['EUR', 1, '12.34'],
      ['USD', 1, '5.00'],
    ]);
    await expectMatchesLedger(res.body);
    const later = await report({ group_by: 'offer', from: '2021-11-24T23:30:00.001Z', to: '2021-11-26T00:30:00.001Z' });
    expect(later.body.totals.map((t: Figures) => [t.currency, t.clicks, t.payout])).toEqual([
      ['EUR', 1, '12.34'],
      ['USD', 0, '-5.00'],
    ]);
  });

  it('groups the boundary data by goal through the conversions', async () => {
    const res = await report({ ...window, group_by: 'goal', timezone: 'Europe/Berlin' });
    expect(res.body.rows.map((r: Row) => [r.goal, r.currency, r.clicks, r.payout])).toEqual([
      ['sale', 'EUR', null, '12.34'],
      ['sale', 'USD', null, '0.00'],
    ]);
  });

  it('answers 422 from the raw rows rather than scanning without end', async () => {
    // The window holds 3 clicks, 2 conversions and 6 ledger entries: 11 documents.
    const limited = (scanLimit: number) =>
      new Koa()
        .use(errorHandler((line: string) => process.stderr.write(`${line}\n`)))
        .use(asAdmin)
        .use(mountRoutes(reportRoutes({ models: stack.models, scanLimit }), { models: stack.models }))
        .callback();
    const raw = { ...window, source: 'raw' };
    const refused = await request(limited(10)).get('/api/reports').query(raw);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'report_too_large', message: expect.stringContaining('more than 10') });
    const enough = await request(limited(11)).get('/api/reports').query(raw);
    expect(enough.status).toBe(200);
    expect(enough.body.totals).toHaveLength(2);
    // The roll-ups read buckets, not rows: the limit is not theirs.
    const rolled = await request(limited(10)).get('/api/reports').query(window);
    expect([rolled.status, rolled.body.source, rolled.body.totals]).toEqual([200, 'rollups', enough.body.totals]);
  });
  it('resolves the window once: a query checked just before midnight is answered with that window', async () => {
    // The first reading of the clock is the check's; later readings are a day on. A window of exactly
    // 366 days to the end of "today" passes the check and would not resolve a second time.
    const readings = [new Date('2026-06-01T23:59:59.999Z')];
    const now = () => readings.shift() ?? new Date('2026-06-02T12:00:00Z');
    const app = new Koa()
      .use(errorHandler((line: string) => process.stderr.write(`${line}\n`)))
      .use(asAdmin)
      .use(mountRoutes(reportRoutes({ models: stack.models, now }), { models: stack.models }))
      .callback();
    const res = await request(app).get('/api/reports').query({ from: '2025-06-01', timezone: 'UTC' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2025-06-01T00:00:00.000Z', to: '2026-06-02T00:00:00.000Z' });
  });
});

describe('GET /api/reports with trafficback clicks', () => {
  // In 2022, apart from the other tests' windows. Stored and counted as the click route stores and counts them.
  let offerId: string;
  let affiliateId: string;
  beforeAll(async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id, { currency: 'USD' });
    const fallback = await f.offer(adv.id, { currency: 'USD' });
    [offerId, affiliateId] = [offer.id, aff.id];
    type Stored = Omit<CountedClick, 'affiliate_id' | 'trafficback'> & { trafficback?: { reason: string; [more: string]: unknown } };
    const click = async (doc: Stored & Record<string, unknown>) => {
      const stored = { _id: newId('clk'), affiliate_id: aff.id, subs: {}, ...doc };
      await stack.models.Click.collection.insertOne(stored as never);
      await countClick(stack.models, stored);
      return stored._id;
    };
    await click({ offer_id: offer.id, advertiser_id: adv.id, created_at: new Date('2022-03-10T10:00:00Z') });
    // The offer's cap is full: the click is stored for it as trafficback and goes on, as a child click, to the fallback offer.
    const parent = await click({
      offer_id: offer.id,
      advertiser_id: adv.id,
      created_at: new Date('2022-03-10T11:00:00Z'),
      trafficback: { reason: 'cap_reached', cap_id: 'cap_1', target: { type: 'offer', offer_id: fallback.id } },
    });
    await click({
      offer_id: fallback.id,
      advertiser_id: adv.id,
      created_at: new Date('2022-03-10T11:00:00Z'),
      parent_click_id: parent,
      trafficback_hops: 1,
    });
    // An offer that does not exist: no advertiser, no currency.
    await click({
      offer_id: 'off_nowhere',
      created_at: new Date('2022-03-11T09:00:00Z'),
      trafficback: { reason: 'offer_unknown', target: { type: 'url', url: 'https://example.com/' } },
    });
  });

  const both = async (query: Record<string, string>) => {
    const [rolled, raw] = [await report({ ...query, source: 'auto' }), await report({ ...query, source: 'raw' })];
    expect([rolled.status, rolled.body.source, raw.status, raw.body.source]).toEqual([200, 'rollups', 200, 'raw']);
    expect({ ...rolled.body, source: 'raw' }).toEqual(raw.body);
    return rolled.body as { rows: Row[]; totals: Figures[] };
  };
  const window = { from: '2022-03-01', to: '2022-04-01' };

  it('counts them apart from clicks, per reason, under the offer asked for; the fallback offer counts its child click', async () => {
    const { rows, totals } = await both({ group_by: 'offer', ...window });
    const mine = rows.filter((r) => r.offer_id === offerId || r.offer_id === 'off_nowhere');
    expect(
      mine.map((r) => [r.offer_id === offerId ? 'offer' : r.offer_id, r.currency, r.clicks, r.trafficback, r.trafficback_reasons]),
    ).toEqual(
      expect.arrayContaining([
        ['offer', 'USD', 1, 1, { cap_reached: 1 }],
        ['off_nowhere', null, 0, 1, { offer_unknown: 1 }],
      ]),
    );
    expect(rows.find((r) => r.offer_id === offerId)).toMatchObject({ conversion_rate: 0, epc: '0.00' }); // per the one click received
    expect(totals.map((t) => [t.currency, t.clicks, t.trafficback, t.trafficback_reasons])).toEqual([
      ['USD', 2, 1, { cap_reached: 1 }],
      [null, 0, 1, { offer_unknown: 1 }],
    ]);
  });

  it('has none on rows grouped by goal, and keeps them in the totals', async () => {
    const { totals } = await both({ group_by: 'goal,day', ...window, timezone: 'Europe/Berlin' });
    expect(totals.map((t) => [t.currency, t.trafficback])).toEqual([
      ['USD', 1],
      [null, 1],
    ]);
    const byAffiliate = await both({ group_by: 'affiliate,day', ...window, affiliate_id: affiliateId });
    expect(byAffiliate.rows.map((r) => [r.day, r.currency, r.clicks, r.trafficback, r.trafficback_reasons])).toEqual([
      ['2022-03-10', 'USD', 2, 1, { cap_reached: 1 }],
      ['2022-03-11', null, 0, 1, { offer_unknown: 1 }],
    ]);
  });
});

describe('GET /api/reports: the query', () => {
  it('needs the admin key', async () => {
    const res = await f.http().get('/api/reports');
    expect(res.status).toBe(401);
  });

  it('defaults to the last 7 days by day in UTC, and names the zone canonically', async () => {
    const res = await report({ timezone: 'europe/berlin' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ group_by: ['day'], timezone: 'Europe/Berlin' });
    expect(new Date(res.body.to).getTime() - new Date(res.body.from).getTime()).toBe(7 * 86_400_000);
    expect(new Date(res.body.to).getTime()).toBeGreaterThan(Date.now());
  });

  it.each([
    [{ group_by: 'day,week' }, 'group_by', 'unknown dimension "week"'],
    [{ group_by: 'day,day' }, 'group_by', 'dimension "day" is given twice'],
    [{ from: '2026-02-30' }, 'from', 'must be a date (YYYY-MM-DD)'],
    [{ to: 'tomorrow' }, 'to', 'must be a date (YYYY-MM-DD)'],
    [{ from: '2026-02-01', to: '2026-01-01' }, 'to', 'from must be before to'],
    [{ from: '2024-01-01', to: '2026-01-01' }, 'to', 'longer than 366 days'],
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone', 'must be an IANA time zone'],
  ])('%j → 400 naming %s', async (query, path, message) => {
    const res = await report(query);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.issues).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
    expect(res.body.message).toContain(`${path}: `);
  });

  it('refuses a repeated or unknown parameter, naming it', async () => {
    const twice = await f.admin('get', '/api/reports?from=2026-01-01&from=2026-01-02');
    expect([twice.status, twice.body.issues]).toEqual([
      400,
      [expect.objectContaining({ path: 'from', message: 'must be given once, not repeated' })],
    ]);
    const typo = await report({ timezon: 'Europe/Berlin' });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toContain('unknown parameter "timezon"');
  });
});
