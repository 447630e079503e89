import fc from 'fast-check';
import { DateTime } from 'luxon';
import { createReport, type ReportDimension, type ReportSpec } from '../../domain/report';
import {
  bucketUpdates,
  clicked,
  conversionCreated,
  ledgerBooked,
  planRollupRead,
  statusMoved,
  type RollupPart,
  type RollupPlan,
} from '../../domain/rollup';

const HOUR = 3_600_000;
const spec = (from: string, to: string, groupBy: ReportDimension[], timezone = 'UTC'): ReportSpec => ({
  groupBy,
  from: new Date(from),
  to: new Date(to),
  timezone,
});

type Span = [number, number];
const spanOf = (month: string, part: RollupPart): Span => {
  if (part.path === 't') {
    const start = Date.parse(`${month}-01T00:00:00Z`);
    const d = new Date(start);
    return [start, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
  }
  const start = Date.parse(`${month}-${part.day}T${part.path === 'd' ? '00' : part.hour}:00:00Z`);
  return [start, start + { d: 24, b: 3, h: 1 }[part.path] * HOUR];
};

/**
 * Each hour of the plan, with the local day it is counted in and its net sign: a plan is exact
 * when every hour of the window is counted once (net 1), in its own local day, and nothing else is.
 */
function hoursOf(plan: RollupPlan, day: (ms: number) => string): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (const [month, parts] of plan) {
    for (const part of parts) {
      const [start, end] = spanOf(month, part);
      for (let h = start; h < end; h += HOUR) {
        const byDay = out.get(h) ?? new Map<string, number>();
        out.set(h, byDay);
        byDay.set(day(part.at.getTime()), (byDay.get(day(part.at.getTime())) ?? 0) + part.sign);
      }
    }
  }
  return out;
}

const count = (plan: RollupPlan, path: RollupPart['path']) => [...plan.values()].flat().filter((p) => p.path === path).length;

describe('planRollupRead', () => {
  it('reads a UTC year by offer as twelve month totals', () => {
    const plan = planRollupRead(spec('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ['offer']))!;
    expect([plan.size, count(plan, 't'), count(plan, 'd'), count(plan, 'h')]).toEqual([12, 12, 0, 0]);
  });

  it('reads 30 UTC days by day as day totals; Berlin days as day totals with one hour moved across midnight; Tokyo with a block', () => {
    const utc = planRollupRead(spec('2025-11-01T00:00:00Z', '2025-12-01T00:00:00Z', ['day']))!;
    expect([count(utc, 't'), count(utc, 'd'), count(utc, 'h')]).toEqual([0, 30, 0]);
    const berlin = planRollupRead(spec('2025-10-31T23:00:00Z', '2025-11-30T23:00:00Z', ['day'], 'Europe/Berlin'))!;
    // 10-31: its 23:00 alone. 11-01…11-29: the day less its 23:00 (-1), which counts in the next local day (+1).
    // 11-30 until 23:00: the day less its 23:00, which is past the window.
    expect([count(berlin, 't'), count(berlin, 'd'), count(berlin, 'h')]).toEqual([0, 30, 1 + 2 * 29 + 1]);
    // Midnight at 15:00Z: each day less 15:00–24:00 (blocks at 15, 18 and 21), which count in the next local day.
    const tokyo = planRollupRead(spec('2025-11-01T15:00:00Z', '2025-11-08T15:00:00Z', ['day'], 'Asia/Tokyo'))!;
    expect([count(tokyo, 'd'), count(tokyo, 'b'), count(tokyo, 'h')]).toEqual([7, 3 + 2 * 3 * 6 + 3, 0]);
  });

  it('refuses what whole UTC hours cannot cut: a bound with minutes, a half-hour zone grouped by day', () => {
    expect(planRollupRead(spec('2025-11-01T00:30:00Z', '2025-11-02T00:00:00Z', ['offer']))).toBeNull();
    expect(planRollupRead(spec('2025-10-31T18:30:00Z', '2025-11-02T18:30:00Z', ['day'], 'Asia/Kolkata'))).toBeNull();
    expect(planRollupRead(spec('2025-10-31T18:00:00Z', '2025-11-02T18:00:00Z', ['offer'], 'Asia/Kolkata'))).not.toBeNull();
  });

  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Australia/Sydney'];
  it('counts every hour of any hour-aligned window once, and grouped by day in its own local day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * 365 * 24 }),
        fc.integer({ min: 1, max: 100 * 24 }),
        fc.constantFrom(...zones),
        fc.boolean(),
        (startHour, hours, timezone, byDay) => {
          const from = Date.parse('2024-01-01T00:00:00Z') + startHour * HOUR;
          const to = from + hours * HOUR;
          const s: ReportSpec = { groupBy: byDay ? ['day', 'offer'] : ['offer'], from: new Date(from), to: new Date(to), timezone };
          const day = (ms: number) => (byDay ? DateTime.fromMillis(ms, { zone: timezone }).toISODate()! : 'any');
          // An hour a day total covers and a part takes away again nets to nothing: it is not counted.
          const counted = [...hoursOf(planRollupRead(s)!, day)]
            .map(([h, byDays]) => [h, [...byDays].filter(([, n]) => n !== 0)] as const)
            .filter(([, net]) => net.length > 0);
          expect(counted.length).toBe(hours);
          for (const [h, net] of counted) {
            expect(h >= from && h < to).toBe(true);
            expect(net).toEqual([[day(h), 1]]);
          }
          for (const part of [...planRollupRead(s)!.values()].flat())
            expect(part.at.getTime() >= from && part.at.getTime() < to).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('bucketUpdates', () => {
  const key = { offer_id: 'off_a', affiliate_id: 'aff_a', goal: 'sale', currency: 'USD' };
  it('adds each delta to its month, day and hour in one update, merged per bucket', () => {
    const at = new Date('2025-11-24T13:05:00Z');
    const updates = bucketUpdates([
      conversionCreated(at, key),
      statusMoved(at, key, 'processing', 'approved'),
      ledgerBooked({ created_at: at, account: 'affiliate_payable', amount_minor: 500, key }),
      clicked(new Date('2025-12-01T00:00:00Z'), 'off_a', 'aff_a'),
    ]);
    const paths = (field: string, n: number) => ({
      [`t.${field}`]: n,
      [`d.24.${field}`]: n,
      [`b.12.24.${field}`]: n,
      [`h.13.24.${field}`]: n,
    });
    expect(updates).toEqual([
      {
        _id: JSON.stringify(['2025-11', 'off_a', 'aff_a', 'sale', 'USD']),
        fields: { ...key, month: '2025-11' },
        inc: {
          ...paths('total', 1),
          ...paths('processing', 0),
          ...paths('approved', 1),
          ...paths('payout_minor', 500),
          ...paths('entries', 1),
        },
      },
      {
        _id: JSON.stringify(['2025-12', 'off_a', 'aff_a', null, null]),
        fields: { offer_id: 'off_a', affiliate_id: 'aff_a', goal: null, currency: null, month: '2025-12' },
        inc: { 't.clicks': 1, 'd.01.clicks': 1, 'b.00.01.clicks': 1, 'h.00.01.clicks': 1 },
      },
    ]);
  });

  it('refuses money that is not whole minor units', () => {
    expect(() => bucketUpdates([ledgerBooked({ created_at: new Date(), account: 'affiliate_payable', amount_minor: 1.5, key })])).toThrow(
      'must be an integer',
    );
  });
});

describe('createReport.addRollup', () => {
  const s = spec('2025-11-01T00:00:00Z', '2025-11-03T00:00:00Z', ['goal']);
  it('makes the rows the raw facts would: clicks alone make no goal row, but count in the totals', () => {
    const report = createReport(s);
    const at = new Date('2025-11-01T05:00:00Z');
    report.addRollup({ offer_id: 'o', affiliate_id: 'a', goal: null, currency: 'USD' }, at, clicked(at, 'o', 'a').counts);
    report.addRollup({ offer_id: 'o', affiliate_id: 'a', goal: 'sale', currency: 'USD' }, at, {
      total: 1,
      approved: 1,
      entries: 2,
      payout_minor: 0,
    });
    const result = report.result();
    expect(result.rows.map((r) => [r.goal, r.clicks, r.conversions.total, r.payout])).toEqual([['sale', null, 1, '0.00']]);
    expect(result.totals.map((t) => [t.currency, t.clicks, t.conversions.total])).toEqual([['USD', 1, 1]]);
  });

  it('leaves out a row whose parts net to no fact: a day total less the hour that moved to the next day', () => {
    const report = createReport({ ...s, groupBy: ['day'], timezone: 'Europe/Berlin' }); // 23:00Z is the next day's 00:00
    const fact = { offer_id: 'o', affiliate_id: 'a', goal: 'sale', currency: 'USD' };
    const counts = { total: 1, approved: 1, entries: 2, payout_minor: 500, revenue_minor: 800 };
    report.addRollup(fact, new Date('2025-11-01T00:00:00Z'), counts); // the day's total
    report.addRollup(fact, new Date('2025-11-01T00:00:00Z'), counts, -1); // less its last hour
    report.addRollup(fact, new Date('2025-11-01T23:00:00Z'), counts); // counted on the next day
    const result = report.result();
    expect(result.rows.map((r) => [r.day, r.conversions.total, r.payout])).toEqual([['2025-11-02', 1, '5.00']]);
  });

  it('refuses a bucket outside the window', () => {
    const report = createReport(s);
    expect(() =>
      report.addRollup({ offer_id: 'o', affiliate_id: 'a', goal: null, currency: 'USD' }, new Date('2025-11-03T00:00:00Z'), { clicks: 1 }),
    ).toThrow('outside the window');
  });
});
