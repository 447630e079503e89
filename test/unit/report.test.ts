import Big from 'big.js';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { fromMinor } from '../../domain/money';
import {
  createReport,
  parseGroupBy,
  reportDimensions,
  resolveReportQuery,
  type ReportClick,
  type ReportDimension,
  type ReportLedgerEntry,
  type ReportSpec,
} from '../../domain/report';

const at = (iso: string) => new Date(iso);
const spec = (over: Partial<ReportSpec> = {}): ReportSpec => ({
  groupBy: ['day'],
  from: at('2026-11-20T00:00:00Z'),
  to: at('2026-11-30T00:00:00Z'),
  timezone: 'UTC',
  ...over,
});
const entry = (
  created: string,
  account: 'affiliate_payable' | 'advertiser_receivable',
  amount: number,
  over: Partial<ReportLedgerEntry> = {},
): ReportLedgerEntry => ({
  created_at: at(created),
  offer_id: 'off_a',
  affiliate_id: 'aff_a',
  account,
  amount_minor: amount,
  currency: 'USD',
  ...over,
});
/** One booked transition: the payable and the receivable entry, as recordTransition writes them. */
const booking = (created: string, payout: number, revenue: number, over: Partial<ReportLedgerEntry> = {}) => [
  entry(created, 'affiliate_payable', payout, over),
  entry(created, 'advertiser_receivable', revenue, over),
];

describe('resolveReportQuery', () => {
  const now = at('2026-11-25T10:00:00Z');

  it('defaults to the last 7 local days, today included, grouped by day, in UTC', () => {
    expect(resolveReportQuery({ group_by: 'day', timezone: 'UTC' }, now)).toEqual({
      spec: { groupBy: ['day'], from: at('2026-11-19T00:00:00Z'), to: at('2026-11-26T00:00:00Z'), timezone: 'UTC' },
    });
  });

  it('reads a date as local midnight in the zone, and gives the zone its canonical name', () => {
    const r = resolveReportQuery({ group_by: 'offer,day', from: '2026-11-24', to: '2026-11-26', timezone: 'europe/berlin' }, now);
    expect(r).toEqual({
      spec: {
        groupBy: ['offer', 'day'],
        from: at('2026-11-23T23:00:00Z'),
        to: at('2026-11-25T23:00:00Z'),
        timezone: 'Europe/Berlin',
      },
    });
  });

  it('keeps the offset of a date-time and reads one without offset as local time', () => {
    const r = resolveReportQuery(
      { group_by: 'day', from: '2026-11-24T10:00:00+05:00', to: '2026-11-25T10:00', timezone: 'America/New_York' },
      now,
    );
    expect(r).toMatchObject({ spec: { from: at('2026-11-24T05:00:00Z'), to: at('2026-11-25T15:00:00Z') } });
  });

  it('refuses from ≥ to, naming to', () => {
    expect(resolveReportQuery({ group_by: 'day', from: '2026-11-24', to: '2026-11-24', timezone: 'UTC' }, now)).toEqual({
      issues: [{ path: 'to', message: expect.stringContaining('from must be before to') }],
    });
  });

  it('names from when to is the default', () => {
    expect(resolveReportQuery({ group_by: 'day', from: '2026-12-01', timezone: 'UTC' }, now)).toEqual({
      issues: [{ path: 'from', message: expect.stringContaining('the default: end of today') }],
    });
  });

  it('allows 366 days (a leap year) and refuses one more', () => {
    expect(resolveReportQuery({ group_by: 'day', from: '2028-01-01', to: '2029-01-01', timezone: 'UTC' }, now)).toHaveProperty('spec');
    expect(resolveReportQuery({ group_by: 'day', from: '2028-01-01', to: '2029-01-02', timezone: 'UTC' }, now)).toEqual({
      issues: [{ path: 'to', message: 'the range from 2028-01-01 to 2029-01-02 is longer than 366 days' }],
    });
  });

  it('names every wrong field', () => {
    expect(resolveReportQuery({ group_by: 'week', from: 'yesterday', timezone: 'UTC' }, now)).toEqual({
      issues: [
        { path: 'group_by', message: expect.stringContaining('unknown dimension "week"') },
        { path: 'from', message: expect.stringContaining('must be a date') },
      ],
    });
    expect(resolveReportQuery({ group_by: 'day', timezone: 'Mars/Olympus' }, now)).toEqual({
      issues: [{ path: 'timezone', message: 'must be an IANA time zone such as Europe/Berlin or UTC' }],
    });
  });
});

describe('parseGroupBy', () => {
  it.each([
    ['day', ['day']],
    ['goal,day', ['goal', 'day']],
    [' offer , affiliate ', ['offer', 'affiliate']],
  ])('%j → %j', (value, groupBy) => expect(parseGroupBy(value)).toEqual({ groupBy }));

  it.each([
    ['', 'must be a comma-separated list of day, offer, affiliate, goal'],
    ['day,', 'must be a comma-separated list of day, offer, affiliate, goal'],
    ['day,Day', 'unknown dimension "Day"; allowed: day, offer, affiliate, goal'],
    ['day,offer,day', 'dimension "day" is given twice'],
  ])('%j is refused', (value, error) => expect(parseGroupBy(value)).toEqual({ error }));
});

describe('createReport', () => {
  it('cuts days in the report zone: 23:30 UTC is the next day in Berlin and the same day in New York', () => {
    const entries = [...booking('2026-11-24T23:30:00Z', 500, 800), ...booking('2026-11-25T12:00:00Z', 100, 150)];
    const days = (timezone: string) => {
      const report = createReport(spec({ timezone }));
      entries.forEach(report.addLedgerEntry);
      return report.result().rows.map((r) => [r.day, r.payout, r.revenue, r.margin]);
    };
    expect(days('UTC')).toEqual([
      ['2026-11-24', '5.00', '8.00', '3.00'],
      ['2026-11-25', '1.00', '1.50', '0.50'],
    ]);
    expect(days('Europe/Berlin')).toEqual([['2026-11-25', '6.00', '9.50', '3.50']]);
    expect(days('America/New_York')).toEqual([
      ['2026-11-24', '5.00', '8.00', '3.00'],
      ['2026-11-25', '1.00', '1.50', '0.50'],
    ]);
  });

  it('starts a day whose midnight does not exist (Santiago springs forward at 00:00) at 01:00', () => {
    const r = resolveReportQuery(
      { group_by: 'day', from: '2026-09-05', to: '2026-09-08', timezone: 'America/Santiago' },
      at('2026-11-25T10:00:00Z'),
    );
    if (!('spec' in r)) throw new Error(JSON.stringify(r));
    expect(r.spec.to).toEqual(at('2026-09-08T03:00:00Z'));
    const report = createReport(r.spec);
    report.addLedgerEntry(entry('2026-09-06T03:59:59.999Z', 'affiliate_payable', 1)); // 23:59:59.999 on the 5th (-04)
    report.addLedgerEntry(entry('2026-09-06T04:00:00Z', 'affiliate_payable', 2)); // 01:00 on the 6th (-03)
    expect(report.result().rows.map((row) => [row.day, row.payout])).toEqual([
      ['2026-09-05', '0.01'],
      ['2026-09-06', '0.02'],
    ]);
  });

  it('books a reversal on the day it was booked, as a negative amount', () => {
    const report = createReport(spec());
    [...booking('2026-11-24T10:00:00Z', 500, 800), ...booking('2026-11-26T10:00:00Z', -500, -800)].forEach(report.addLedgerEntry);
    const { rows, totals } = report.result();
    expect(rows.map((r) => [r.day, r.payout, r.revenue, r.margin])).toEqual([
      ['2026-11-24', '5.00', '8.00', '3.00'],
      ['2026-11-26', '-5.00', '-8.00', '-3.00'],
    ]);
    expect(totals).toMatchObject([{ currency: 'USD', payout: '0.00', revenue: '0.00', margin: '0.00' }]);
  });

  it('never adds currencies: each is its own row and total, in its own minor digits', () => {
    const report = createReport(spec({ groupBy: ['offer'] }));
    [
      ...booking('2026-11-24T10:00:00Z', 500, 800),
      ...booking('2026-11-24T11:00:00Z', 450, 700, { currency: 'EUR' }),
      ...booking('2026-11-24T12:00:00Z', 1000, 1500, { currency: 'JPY' }),
    ].forEach(report.addLedgerEntry);
    const { rows, totals } = report.result();
    expect(rows.map((r) => [r.offer_id, r.currency, r.payout, r.revenue])).toEqual([
      ['off_a', 'EUR', '4.50', '7.00'],
      ['off_a', 'JPY', '1000', '1500'],
      ['off_a', 'USD', '5.00', '8.00'],
    ]);
    expect(totals.map((t) => [t.currency, t.payout])).toEqual([
      ['EUR', '4.50'],
      ['JPY', '1000'],
      ['USD', '5.00'],
    ]);
  });

  it.each(['USD', 'JPY', 'KWD'])('formats %s money exactly as fromMinor does', (currency) => {
    for (const minor of [-123456, -1, 0, 1, 99, 100, 123456]) {
      const report = createReport(spec());
      report.addLedgerEntry(entry('2026-11-24T10:00:00Z', 'affiliate_payable', minor, { currency }));
      expect(report.result().rows[0]!.payout).toBe(fromMinor(minor, currency));
    }
  });

  it('counts conversions by current status, and clicks, with rate and epc per click', () => {
    const report = createReport(spec({ groupBy: ['affiliate'] }));
    for (const status of ['approved', 'approved', 'pending', 'reversed', 'rejected', 'processing']) {
      report.addConversion({
        received_at: at('2026-11-24T10:00:00Z'),
        offer_id: 'off_a',
        affiliate_id: 'aff_a',
        goal: 'sale',
        status,
        currency: 'USD',
      });
    }
    for (let i = 0; i < 7; i += 1)
      report.addClick({
        created_at: at('2026-11-24T09:00:00Z'),
        offer_id: 'off_a',
        affiliate_id: 'aff_a',
        currency: 'USD',
      });
    booking('2026-11-24T10:00:00Z', 1000, 1600).forEach(report.addLedgerEntry);
    const [row] = report.result().rows;
    expect(row).toEqual({
      affiliate_id: 'aff_a',
      currency: 'USD',
      clicks: 7,
      trafficback: 0,
      trafficback_reasons: {},
      conversions: { total: 6, approved: 2, pending: 1, held: 0, declined: 0, reversed: 1, rejected: 1, processing: 1 },
      payout: '10.00',
      revenue: '16.00',
      margin: '6.00',
      conversion_rate: 0.857143, // 6 / 7, half-up at 6 digits
      epc: '1.43', // 1000 / 7 = 142.857… minor units, half-up
    });
  });

  it.each([
    [5, 2, '0.03'], // 2.5 minor → 3, half-up
    [-5, 2, '-0.03'], // half away from zero for a negative day
    [1, 3, '0.00'],
  ])('epc of %i minor over %i clicks is %s', (payout, clicks, epc) => {
    const report = createReport(spec());
    for (let i = 0; i < clicks; i += 1)
      report.addClick({
        created_at: at('2026-11-24T09:00:00Z'),
        offer_id: 'off_a',
        affiliate_id: 'aff_a',
        currency: 'USD',
      });
    report.addLedgerEntry(entry('2026-11-24T10:00:00Z', 'affiliate_payable', payout));
    expect(report.result().rows[0]!.epc).toBe(epc);
  });

  it('has no clicks, rate or epc per goal (clicks have no goal), but keeps them in the totals', () => {
    const report = createReport(spec({ groupBy: ['day', 'goal'] }));
    report.addClick({
      created_at: at('2026-11-24T09:00:00Z'),
      offer_id: 'off_a',
      affiliate_id: 'aff_a',
      currency: 'USD',
    });
    report.addClick({
      created_at: at('2026-11-24T09:00:00Z'),
      offer_id: 'off_a',
      affiliate_id: 'aff_a',
      currency: 'USD',
    });
    report.addConversion({
      received_at: at('2026-11-24T10:00:00Z'),
      offer_id: 'off_a',
      affiliate_id: 'aff_a',
      goal: 'lead',
      status: 'approved',
      currency: 'USD',
    });
    booking('2026-11-24T10:00:00Z', 300, 400, { goal: 'lead' }).forEach(report.addLedgerEntry);
    booking('2026-11-24T10:00:00Z', 100, 100, { goal: null }).forEach(report.addLedgerEntry);
    const { rows, totals } = report.result();
    expect(rows.map((r) => [r.day, r.goal, r.clicks, r.conversion_rate, r.epc, r.payout])).toEqual([
      ['2026-11-24', 'lead', null, null, null, '3.00'],
      ['2026-11-24', null, null, null, null, '1.00'], // an entry whose conversion is unknown: counted, goal null
    ]);
    expect(totals).toMatchObject([{ currency: 'USD', clicks: 2, conversion_rate: 0.5, epc: '2.00', payout: '4.00' }]);
  });

  describe('trafficback clicks (not sent to the offer they asked for)', () => {
    const click = (over: Partial<ReportClick> = {}): ReportClick => ({
      created_at: at('2026-11-24T09:00:00Z'),
      offer_id: 'off_a',
      affiliate_id: 'aff_a',
      currency: 'USD',
      ...over,
    });
    const turnedAway = (reason: string, over: Partial<ReportClick> = {}) => click({ trafficback: { reason }, ...over });

    it('count apart from clicks, per reason, and leave conversion rate and EPC to the clicks the offer received', () => {
      const report = createReport(spec({ groupBy: ['offer'] }));
      for (let i = 0; i < 4; i += 1) report.addClick(click());
      for (const reason of ['cap_reached', 'cap_reached', 'duplicate_click']) report.addClick(turnedAway(reason));
      report.addClick(click({ trafficback: null })); // as a raw row without the field reads
      report.addConversion({
        received_at: at('2026-11-24T10:00:00Z'),
        offer_id: 'off_a',
        affiliate_id: 'aff_a',
        goal: 'sale',
        status: 'approved',
        currency: 'USD',
      });
      booking('2026-11-24T10:00:00Z', 1000, 1600).forEach(report.addLedgerEntry);
      const { rows, totals } = report.result();
      const figures = {
        clicks: 5,
        trafficback: 3,
        trafficback_reasons: { cap_reached: 2, duplicate_click: 1 },
        conversion_rate: 0.2,
        epc: '2.00',
      };
      expect(rows).toMatchObject([{ offer_id: 'off_a', ...figures }]);
      expect(totals).toMatchObject([{ currency: 'USD', ...figures }]);
    });

    it('make a row of their own, under the offer asked for, even one that is unknown (no currency)', () => {
      const report = createReport(spec({ groupBy: ['day', 'offer'] }));
      report.addClick(turnedAway('offer_unknown', { offer_id: 'off_nowhere', currency: null }));
      const { rows, totals } = report.result();
      expect(rows).toEqual([
        expect.objectContaining({ offer_id: 'off_nowhere', currency: null, clicks: 0, trafficback: 1, conversion_rate: null, epc: null }),
      ]);
      expect(totals.map((t) => [t.currency, t.clicks, t.trafficback, t.trafficback_reasons])).toEqual([[null, 0, 1, { offer_unknown: 1 }]]);
    });

    it('have no goal, as clicks: null on goal rows, kept in the totals', () => {
      const report = createReport(spec({ groupBy: ['goal'] }));
      report.addClick(turnedAway('offer_paused'));
      booking('2026-11-24T10:00:00Z', 100, 100, { goal: 'sale' }).forEach(report.addLedgerEntry);
      const { rows, totals } = report.result();
      expect(rows.map((r) => [r.goal, r.clicks, r.trafficback, r.trafficback_reasons])).toEqual([['sale', null, null, null]]);
      expect(totals).toMatchObject([{ clicks: 0, trafficback: 1, trafficback_reasons: { offer_paused: 1 } }]);
    });

    it('refuse a reason that could not be a roll-up field (a click route bug, not data to drop)', () => {
      const report = createReport(spec());
      for (const reason of ['cap.reached', '$inc', '', 'Cap', undefined as unknown as string])
        expect(() => report.addClick(turnedAway(reason))).toThrow('unknown reason');
    });
  });

  it('shows only the grouped keys, in group_by order', () => {
    const report = createReport(spec({ groupBy: ['goal', 'offer'] }));
    booking('2026-11-24T10:00:00Z', 1, 2, { goal: 'sale' }).forEach(report.addLedgerEntry);
    expect(Object.keys(report.result().rows[0]!).slice(0, 3)).toEqual(['goal', 'offer_id', 'currency']);
  });

  it('puts clicks of an unknown offer under a null currency with no money', () => {
    const report = createReport(spec());
    report.addClick({
      created_at: at('2026-11-24T09:00:00Z'),
      offer_id: 'off_gone',
      affiliate_id: 'aff_a',
      currency: null,
    });
    expect(report.result().rows).toMatchObject([{ currency: null, clicks: 1, payout: null, epc: null, conversion_rate: 0 }]);
  });

  it('refuses rows outside the window and unknown statuses or accounts (a query bug, not data to drop)', () => {
    const report = createReport(spec());
    expect(() => report.addLedgerEntry(entry('2026-11-30T00:00:00Z', 'affiliate_payable', 1))).toThrow('outside the window');
    expect(() =>
      report.addClick({
        created_at: at('2026-11-19T23:59:59.999Z'),
        offer_id: 'o',
        affiliate_id: 'a',
        currency: 'USD',
      }),
    ).toThrow('outside the window');
    expect(() => report.addLedgerEntry(entry('2026-11-24T00:00:00Z', 'cash' as 'affiliate_payable', 1))).toThrow('unknown account');
    expect(() =>
      report.addConversion({
        received_at: at('2026-11-24T00:00:00Z'),
        offer_id: 'o',
        affiliate_id: 'a',
        goal: 'g',
        status: 'lost',
        currency: 'USD',
      }),
    ).toThrow('unknown status');
  });

  it('refuses a sum beyond exact integers rather than rounding it', () => {
    const report = createReport(spec());
    report.addLedgerEntry(entry('2026-11-24T00:00:00Z', 'affiliate_payable', Number.MAX_SAFE_INTEGER));
    expect(() => report.addLedgerEntry(entry('2026-11-24T00:00:00Z', 'affiliate_payable', 1))).toThrow('exact integer range');
  });
});

describe('createReport: properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'Australia/Lord_Howe'];
  const currencies = ['USD', 'EUR', 'JPY', 'KWD'];
  const windowFrom = Date.parse('2026-03-01T00:00:00Z');
  const windowTo = Date.parse('2026-11-15T00:00:00Z'); // spans both DST changes in both hemispheres

  const arbEntry = fc.record({
    ms: fc.integer({ min: windowFrom, max: windowTo - 1 }),
    account: fc.constantFrom('affiliate_payable', 'advertiser_receivable'),
    amount: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    currency: fc.constantFrom(...currencies),
    offer: fc.constantFrom('off_a', 'off_b'),
    affiliate: fc.constantFrom('aff_a', 'aff_b'),
    goal: fc.constantFrom('sale', 'lead', null),
  });
  const arbGroupBy = fc
    .subarray([...reportDimensions] as ReportDimension[], { minLength: 1 })
    .chain((dims) => fc.shuffledSubarray(dims, { minLength: dims.length }));

  it('rows and totals sum to the ledger per currency, to the minor unit, for any grouping and zone', () => {
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 60 }), arbGroupBy, fc.constantFrom(...zones), (facts, groupBy, timezone) => {
        const report = createReport({ groupBy, timezone, from: new Date(windowFrom), to: new Date(windowTo) });
        for (const f of facts) {
          report.addLedgerEntry({
            created_at: new Date(f.ms),
            account: f.account,
            amount_minor: f.amount,
            currency: f.currency,
            offer_id: f.offer,
            affiliate_id: f.affiliate,
            goal: f.goal,
          });
        }
        const { rows, totals } = report.result();
        for (const currency of currencies) {
          const ledger = (account: string) =>
            facts.filter((f) => f.currency === currency && f.account === account).reduce((s, f) => s + f.amount, 0);
          const summed = (field: 'payout' | 'revenue') =>
            rows.filter((r) => r.currency === currency).reduce((s, r) => s.plus(r[field]!), new Big(0));
          const total = totals.find((t) => t.currency === currency);
          const major = (minor: number) => new Big(minor).div(new Big(10).pow(currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2));
          expect(summed('payout').eq(major(ledger('affiliate_payable')))).toBe(true);
          expect(summed('revenue').eq(major(ledger('advertiser_receivable')))).toBe(true);
          if (total) expect(new Big(total.payout!).eq(major(ledger('affiliate_payable')))).toBe(true);
        }
        // Each fact lands on the day luxon gives directly (the index is a shortcut, not a new rule).
        if (groupBy.includes('day')) {
          const expected = new Set(
            facts.map((f) => `${DateTime.fromMillis(f.ms, { zone: timezone }).toFormat('yyyy-MM-dd')}|${f.currency}`),
          );
          expect(new Set(rows.map((r) => `${r.day}|${r.currency}`))).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
