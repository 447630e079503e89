import fc from 'fast-check';
import { DateTime } from 'luxon';
import { createReport, type ReportDimension, type ReportSpec } from '../../domain/report';
import { bucketUpdates, clicked, conversionCreated, ledgerBooked, planRollupRead, statusMoved, type RollupPlan } from '../../domain/rollup';

const HOUR = 3_600_000;
const spec = (from: string, to: string, groupBy: ReportDimension[], timezone = 'UTC'): ReportSpec => ({
  groupBy,
  from: new Date(from),
  to: new Date(to),
  timezone,
});

/** The plan's buckets as [start, end) spans in ms. */
function spans(plan: RollupPlan): [number, number][] {
  const out: [number, number][] = [];
  for (const m of plan.months) {
    const start = Date.parse(`${m}-01T00:00:00Z`);
    const d = new Date(start);
    out.push([start, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)]);
  }
  for (const day of plan.days) out.push([Date.parse(`${day}T00:00:00Z`), Date.parse(`${day}T00:00:00Z`) + 24 * HOUR]);
  for (const [day, hours] of plan.hours)
    for (const h of hours) out.push([Date.parse(`${day}T${h}:00:00Z`), Date.parse(`${day}T${h}:00:00Z`) + HOUR]);
  return out.sort((a, b) => a[0] - b[0]);
}

describe('planRollupRead', () => {
  it('reads a UTC year by offer as twelve months', () => {
    const plan = planRollupRead(spec('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ['offer']))!;
    expect(plan.months).toHaveLength(12);
    expect([plan.days, plan.hours.size]).toEqual([[], 0]);
  });

  it('reads 30 UTC days by day as days, and Berlin days from hours (its midnights fall inside UTC days)', () => {
    const utc = planRollupRead(spec('2025-11-01T00:00:00Z', '2025-12-01T00:00:00Z', ['day']))!;
    expect([utc.months, utc.days.length, utc.hours.size]).toEqual([[], 30, 0]);
    const berlin = planRollupRead(spec('2025-10-31T23:00:00Z', '2025-11-30T23:00:00Z', ['day'], 'Europe/Berlin'))!;
    expect([berlin.months, berlin.days, [...berlin.hours.values()].flat().length]).toEqual([[], [], 30 * 24]);
  });

  it('refuses what whole UTC hours cannot cut: a bound with minutes, a half-hour zone grouped by day', () => {
    expect(planRollupRead(spec('2025-11-01T00:30:00Z', '2025-11-02T00:00:00Z', ['offer']))).toBeNull();
    expect(planRollupRead(spec('2025-10-31T18:30:00Z', '2025-11-02T18:30:00Z', ['day'], 'Asia/Kolkata'))).toBeNull();
    expect(planRollupRead(spec('2025-10-31T18:00:00Z', '2025-11-02T18:00:00Z', ['offer'], 'Asia/Kolkata'))).not.toBeNull();
  });

  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Australia/Sydney'];
  it('tiles any hour-aligned window exactly, and grouped by day never across a local midnight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * 365 * 24 }),
        fc.integer({ min: 1, max: 400 * 24 }),
        fc.constantFrom(...zones),
        fc.boolean(),
        (startHour, hours, timezone, byDay) => {
          const from = Date.parse('2024-01-01T00:00:00Z') + startHour * HOUR;
          const s: ReportSpec = {
            groupBy: byDay ? ['day', 'offer'] : ['offer'],
            from: new Date(from),
            to: new Date(from + hours * HOUR),
            timezone,
          };
          const tiles = spans(planRollupRead(s)!);
          expect(tiles[0]![0]).toBe(from);
          expect(tiles[tiles.length - 1]![1]).toBe(from + hours * HOUR);
          for (let i = 1; i < tiles.length; i++) expect(tiles[i]![0]).toBe(tiles[i - 1]![1]);
          if (byDay) {
            for (const [start, end] of tiles) {
              const day = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).toISODate();
              expect(day(end - 1)).toBe(day(start));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('bucketUpdates', () => {
  const key = { offer_id: 'off_a', affiliate_id: 'aff_a', goal: 'sale', currency: 'USD' };
  it('adds each delta to its day (totals and hour) and its month, merged per bucket', () => {
    const at = new Date('2025-11-24T13:05:00Z');
    const updates = bucketUpdates([
      conversionCreated(at, key),
      statusMoved(at, key, 'processing', 'approved'),
      ledgerBooked({ created_at: at, account: 'affiliate_payable', amount_minor: 500, key }),
    ]);
    expect(updates).toEqual([
      {
        level: 'day',
        _id: JSON.stringify(['2025-11-24', 'off_a', 'aff_a', 'sale', 'USD']),
        fields: { ...key, day: '2025-11-24' },
        inc: {
          't.total': 1,
          'h.13.total': 1,
          't.processing': 0,
          'h.13.processing': 0,
          't.approved': 1,
          'h.13.approved': 1,
          't.payout_minor': 500,
          'h.13.payout_minor': 500,
          't.entries': 1,
          'h.13.entries': 1,
        },
      },
      {
        level: 'month',
        _id: JSON.stringify(['2025-11', 'off_a', 'aff_a', 'sale', 'USD']),
        fields: { ...key, month: '2025-11' },
        inc: { 't.total': 1, 't.processing': 0, 't.approved': 1, 't.payout_minor': 500, 't.entries': 1 },
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

  it('refuses a bucket outside the window', () => {
    const report = createReport(s);
    expect(() =>
      report.addRollup({ offer_id: 'o', affiliate_id: 'a', goal: null, currency: 'USD' }, new Date('2025-11-03T00:00:00Z'), { clicks: 1 }),
    ).toThrow('outside the window');
  });
});
