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
  type RollupCounts,
  type RollupDelta,
  type RollupKey,
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

  it('counts a trafficback click as trafficback and in its reason, never as a click', () => {
    const at = new Date('2025-11-24T13:05:00Z');
    const [update] = bucketUpdates([
      clicked(at, 'off_a', 'aff_a'),
      clicked(at, 'off_a', 'aff_a', { reason: 'cap_reached' }),
      clicked(at, 'off_a', 'aff_a', { reason: 'cap_reached' }),
      clicked(at, 'off_a', 'aff_a', { reason: 'blocked_sub' }),
    ]);
    expect(update!.inc).toMatchObject({
      't.clicks': 1,
      't.trafficback': 3,
      't.trafficback_cap_reached': 2,
      'h.13.24.trafficback_blocked_sub': 1,
      'b.12.24.trafficback': 3,
    });
    expect(Object.keys(update!.inc)).toHaveLength(4 * 4);
  });

  it('refuses a trafficback reason that would split a bucket path', () => {
    expect(() => clicked(new Date(), 'o', 'a', { reason: 'cap.reached' })).toThrow('unknown reason');
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

  it('counts trafficback as the raw clicks do: apart from clicks, per reason, none on goal rows', () => {
    const report = createReport(s);
    const at = new Date('2025-11-01T05:00:00Z');
    const fact = { offer_id: 'o', affiliate_id: 'a', goal: null, currency: 'USD' };
    report.addRollup(fact, at, { clicks: 2, trafficback: 3, trafficback_cap_reached: 2, trafficback_offer_paused: 1 });
    report.addRollup(fact, at, { trafficback: 1, trafficback_offer_paused: 1 }, -1); // an hour moved to another day
    const result = report.result();
    expect(result.rows).toEqual([]);
    expect(result.totals).toMatchObject([{ clicks: 2, trafficback: 2, trafficback_reasons: { cap_reached: 2 } }]);
  });

  it('refuses a bucket outside the window', () => {
    const report = createReport(s);
    expect(() =>
      report.addRollup({ offer_id: 'o', affiliate_id: 'a', goal: null, currency: 'USD' }, new Date('2025-11-03T00:00:00Z'), { clicks: 1 }),
    ).toThrow('outside the window');
  });
});

/**
 * The roll-up path in memory: buckets built from the deltas as rollups/rebuild.ts builds them,
 * read part by part as rollups/read.ts reads them (without its per-instant sums, which only save time).
 */
function reportFromBuckets(report: ReturnType<typeof createReport>, plan: RollupPlan, deltas: RollupDelta[], currency: string) {
  const buckets = new Map<string, Record<string, unknown>>();
  for (const u of bucketUpdates(deltas)) {
    const doc = buckets.get(u._id) ?? { ...u.fields };
    buckets.set(u._id, doc);
    for (const [path, n] of Object.entries(u.inc)) {
      const parts = path.split('.');
      let node = doc;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts.at(-1)!] = ((node[parts.at(-1)!] as number | undefined) ?? 0) + n;
    }
  }
  for (const b of buckets.values()) {
    const cell = (path: string, ...keys: string[]) =>
      keys.reduce<Record<string, unknown> | undefined>((node, k) => node?.[k] as Record<string, unknown> | undefined, b[path] as never);
    for (const part of plan.get(b.month as string) ?? []) {
      const counts = part.path === 't' ? b.t : part.path === 'd' ? cell('d', part.day) : cell(part.path, part.hour, part.day);
      if (counts) report.addRollup({ ...(b as unknown as RollupKey), currency }, part.at, counts as RollupCounts, part.sign);
    }
  }
}

describe('trafficback clicks: roll-ups and raw rows', () => {
  const reasons = ['offer_unknown', 'offer_paused', 'cap_reached', 'duplicate_click', 'blocked_sub'];
  const from = Date.parse('2025-10-20T00:00:00Z');
  const to = Date.parse('2025-11-10T00:00:00Z'); // across a month end and the end of DST in Europe and America
  const arbClick = fc.record({
    ms: fc.integer({ min: from, max: to - 1 }),
    offer: fc.constantFrom('off_a', 'off_b'),
    affiliate: fc.constantFrom('aff_a', 'aff_b'),
    reason: fc.option(fc.constantFrom(...reasons), { nil: undefined }),
  });
  const arbGroupBy = fc
    .subarray(['day', 'offer', 'affiliate', 'goal'] as ReportDimension[], { minLength: 1 })
    .chain((dims) => fc.shuffledSubarray(dims, { minLength: dims.length }));

  it('agree on clicks, trafficback and its reasons for any grouping, zone and hour-aligned window', () => {
    fc.assert(
      fc.property(
        fc.array(arbClick, { maxLength: 40 }),
        arbGroupBy,
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'),
        fc.integer({ min: 0, max: 24 * 10 }),
        (clicks, groupBy, timezone, skipHours) => {
          const s: ReportSpec = { groupBy, timezone, from: new Date(from + skipHours * HOUR), to: new Date(to) };
          const inWindow = clicks.filter((c) => c.ms >= s.from.getTime());
          const raw = createReport(s);
          for (const c of inWindow)
            raw.addClick({
              created_at: new Date(c.ms),
              offer_id: c.offer,
              affiliate_id: c.affiliate,
              currency: 'USD',
              trafficback: c.reason ? { reason: c.reason } : undefined,
            });
          const rolled = createReport(s);
          const deltas = clicks.map((c) => clicked(new Date(c.ms), c.offer, c.affiliate, c.reason ? { reason: c.reason } : undefined));
          reportFromBuckets(rolled, planRollupRead(s)!, deltas, 'USD');
          expect(rolled.result()).toEqual(raw.result());
          const total = rolled.result().totals[0];
          if (total) expect(total.clicks! + total.trafficback!).toBe(inWindow.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
