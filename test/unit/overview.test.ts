import { deadLetterDepth, createDeliverySeries, lastWindow, overviewGranularity, p95, seriesFromRows } from '../../domain/overview';
import { periodStarts } from '../../domain/report';
import { planRollupRead } from '../../domain/rollup';

const d = (iso: string) => new Date(iso);

describe('overview granularity', () => {
  it('is minutes up to 6 hours, hours up to 7 local days, days beyond', () => {
    expect(overviewGranularity(d('2026-11-01T00:00:00Z'), d('2026-11-01T06:00:00Z'), 'UTC')).toBe('minute');
    expect(overviewGranularity(d('2026-11-01T00:00:00Z'), d('2026-11-01T06:01:00Z'), 'UTC')).toBe('hour');
    expect(overviewGranularity(d('2026-11-01T00:00:00Z'), d('2026-11-08T00:00:00Z'), 'UTC')).toBe('hour');
    expect(overviewGranularity(d('2026-11-01T00:00:00Z'), d('2026-11-08T01:00:00Z'), 'UTC')).toBe('day');
    // The week across the end of DST in New York has 169 hours, and is still 7 local days.
    expect(overviewGranularity(d('2026-10-29T04:00:00Z'), d('2026-11-05T05:00:00Z'), 'America/New_York')).toBe('hour');
  });

  it('cuts the last 24 h at the end of the current local hour, 7 days at local hours, 30 days at local midnights', () => {
    const now = d('2026-11-30T10:17:31Z');
    expect(lastWindow('6h', 'UTC', now)).toEqual({ from: d('2026-11-30T04:18:00Z'), to: d('2026-11-30T10:18:00Z') });
    expect(lastWindow('24h', 'Asia/Kolkata', now)).toEqual({ from: d('2026-11-29T10:30:00Z'), to: d('2026-11-30T10:30:00Z') });
    expect(lastWindow('30d', 'Asia/Tokyo', now)).toEqual({ from: d('2026-10-31T15:00:00Z'), to: d('2026-11-30T15:00:00Z') });
    expect(lastWindow('367d', 'UTC', now)).toEqual({ error: 'must be at most 366 days' });
  });
});

describe('overview periods', () => {
  it('has 25 hours on the day New York leaves DST, the repeated local hour as two instants', () => {
    const spec = { from: d('2026-11-01T04:00:00Z'), to: d('2026-11-02T05:00:00Z'), timezone: 'America/New_York', period: 'hour' as const };
    const starts = periodStarts(spec);
    expect(starts).toHaveLength(25);
    expect(starts.slice(1, 3).map((p) => p.key)).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z']);
  });

  it('reads hours from the roll-ups in a whole-hour zone, and minutes (or half-hour zones) from the raw rows', () => {
    const window = { groupBy: ['day' as const], from: d('2026-11-01T00:00:00Z'), to: d('2026-11-02T00:00:00Z') };
    const plan = planRollupRead({ ...window, timezone: 'Asia/Tokyo', period: 'hour' });
    expect([...plan!.values()].flat().every((p) => p.path === 'h')).toBe(true);
    expect([...plan!.values()].flat()).toHaveLength(24);
    expect(planRollupRead({ ...window, timezone: 'Asia/Kolkata', period: 'hour' })).toBeNull();
    expect(planRollupRead({ ...window, timezone: 'UTC', period: 'minute' })).toBeNull();
  });

  it('puts report rows at their period and zero elsewhere, money in the currency digits', () => {
    const counts = { total: 1, approved: 1, pending: 0, held: 0, declined: 0, reversed: 0, rejected: 0, processing: 0 };
    const row = { day: 'b', currency: 'JPY', clicks: 2, conversions: counts, payout: '500', revenue: '800', margin: '300' };
    const trafficback = { trafficback: 3, trafficback_reasons: { cap_reached: 3 } };
    const [s] = seriesFromRows(['a', 'b'], [{ ...row, ...trafficback, conversion_rate: 0.5, epc: '250' }]);
    expect(s).toMatchObject({ currency: 'JPY', clicks: [0, 2], trafficback: [0, 3], payout: ['0', '500'], epc: [null, '250'] });
    expect(s!.conversion_rate).toEqual([null, 0.5]);
    expect(s!.conversions.approved).toEqual([0, 1]);
  });
});

describe('overview delivery figures', () => {
  it('takes the nearest-rank p95 and the success rate per period', () => {
    expect(p95([])).toBeNull();
    expect(p95([5])).toBe(5);
    expect(p95(Array.from({ length: 100 }, (_, i) => 100 - i))).toBe(95);
    const series = createDeliverySeries([0, 60_000], 120_000);
    series.add({ at: new Date(1), outcome: 'success', duration_ms: 10 });
    series.add({ at: new Date(2), outcome: 'retry', duration_ms: 30 });
    series.add({ at: new Date(3), outcome: 'inactive' });
    series.add({ at: new Date(60_000), outcome: 'success', duration_ms: 7 });
    expect(series.result()).toEqual({
      attempts: [3, 1],
      succeeded: [1, 1],
      success_rate: [0.333333, 1],
      p95_latency_ms: [30, 7],
      totals: { attempts: 4, succeeded: 2, success_rate: 0.5, p95_latency_ms: 30 },
    });
  });

  it('counts dead-letter depth at the end of each period', () => {
    expect(deadLetterDepth([0, 10, 20], 30, 4, [new Date(12), new Date(15), new Date(29)])).toEqual([4, 6, 7]);
  });
});
