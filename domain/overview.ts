import Big from 'big.js';
import { DateTime } from 'luxon';
import { fromMinor } from './money';
import { MAX_REPORT_DAYS, reportStatuses, type ReportPeriod, type ReportRow, type ReportSpec } from './report';

/**
 * The overview's time series, as pure code: which period a range is cut into, what "the last
 * 24 h" means in a zone, and how report rows, delivery attempts and dead letters become one value
 * per period. The route (api/routes/overview.ts) does the reading.
 */

const HOUR_MS = 3_600_000;
/** Ranges up to this long are cut into minutes (at most 360 points). */
export const MINUTE_SERIES_MAX_MS = 6 * HOUR_MS;
/** Ranges up to this many local days are cut into hours (at most 169 points, a DST week); longer ones into days. */
export const HOUR_SERIES_MAX_DAYS = 7;

/** The period a window is cut into: minutes up to 6 h, hours up to 7 days (local days of `zone`), days beyond. */
export function overviewGranularity(from: Date, to: Date, zone: string): ReportPeriod {
  if (to.getTime() - from.getTime() <= MINUTE_SERIES_MAX_MS) return 'minute';
  const weekLater = DateTime.fromJSDate(from, { zone }).plus({ days: HOUR_SERIES_MAX_DAYS });
  return to.getTime() <= weekLater.toMillis() ? 'hour' : 'day';
}

export const LAST_PATTERN = /^([1-9][0-9]{0,3})(h|d)$/;

/**
 * "The last 24 h" (`last=24h`, `7d`): the window ends where the period containing `now` ends, so
 * the newest point is the one still filling up, and starts that many hours (or local days) earlier.
 */
export function lastWindow(last: string, zone: string, now: Date): { from: Date; to: Date } | { error: string } {
  const m = LAST_PATTERN.exec(last);
  if (!m) return { error: 'must be a number of hours or days such as 6h, 24h, 7d or 90d' };
  const n = Number(m[1]);
  const unit = m[2] === 'h' ? 'hours' : 'days';
  const hours = unit === 'hours' ? n : n * 24;
  if (hours > MAX_REPORT_DAYS * 24) return { error: `must be at most ${MAX_REPORT_DAYS} days` };
  const period: ReportPeriod = hours * HOUR_MS <= MINUTE_SERIES_MAX_MS ? 'minute' : hours <= HOUR_SERIES_MAX_DAYS * 24 ? 'hour' : 'day';
  const current = DateTime.fromJSDate(now, { zone }).startOf(period);
  const to = current.plus({ [`${period}s`]: 1 }).startOf(period);
  return { from: to.minus({ [unit]: n }).toJSDate(), to: to.toJSDate() };
}

type Counts = Record<'total' | (typeof reportStatuses)[number], number[]>;

export interface CurrencySeries {
  currency: string | null;
  clicks: number[];
  /** Clicks not sent to their offer, apart from `clicks` as in the report. */
  trafficback: number[];
  conversions: Counts;
  payout: (string | null)[];
  revenue: (string | null)[];
  conversion_rate: (number | null)[];
  epc: (string | null)[];
}

/**
 * Report rows grouped by `day` (a period of the overview) and currency → one series per
 * currency, a value for every period in `keys` order; a period without a row is zero (money in
 * the currency's digits) and has no rate.
 */
export function seriesFromRows(keys: string[], rows: ReportRow[]): CurrencySeries[] {
  const index = new Map(keys.map((k, i) => [k, i]));
  const byCurrency = new Map<string | null, CurrencySeries>();
  const n = keys.length;
  const empty = (currency: string | null): CurrencySeries => {
    const zero = currency === null ? null : fromMinor(0, currency);
    return {
      currency,
      clicks: new Array<number>(n).fill(0),
      trafficback: new Array<number>(n).fill(0),
      conversions: Object.fromEntries(['total', ...reportStatuses].map((s) => [s, new Array<number>(n).fill(0)])) as Counts,
      payout: new Array(n).fill(zero),
      revenue: new Array(n).fill(zero),
      conversion_rate: new Array(n).fill(null),
      epc: new Array(n).fill(null),
    };
  };
  for (const row of rows) {
    const i = index.get(row.day ?? '');
    if (i === undefined) throw new Error(`report row for period ${JSON.stringify(row.day)} is not one of the overview's periods`);
    let s = byCurrency.get(row.currency);
    if (!s) byCurrency.set(row.currency, (s = empty(row.currency)));
    s.clicks[i] = row.clicks ?? 0;
    s.trafficback[i] = row.trafficback ?? 0;
    for (const status of ['total', ...reportStatuses] as const) s.conversions[status][i] = row.conversions[status];
    s.payout[i] = row.payout;
    s.revenue[i] = row.revenue;
    s.conversion_rate[i] = row.conversion_rate;
    s.epc[i] = row.epc;
  }
  return [...byCurrency.values()];
}

/** An index from an instant to its period in `starts` (ascending), or -1 outside [starts[0], end). */
export function periodLookup(starts: number[], end: number): (ms: number) => number {
  return (ms) => {
    if (starts.length === 0 || ms < starts[0]! || ms >= end) return -1;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}

/** The nearest-rank 95th percentile: a value that was measured, never an interpolation. */
export function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1]!;
}

const RATE_DIGITS = 6;
export const rate = (part: number, whole: number): number | null =>
  whole === 0 ? null : Number(new Big(part).div(whole).round(RATE_DIGITS, Big.roundHalfUp).toFixed(RATE_DIGITS));

export interface AttemptFact {
  at: Date;
  outcome: string;
  duration_ms?: number | null;
}

export interface DeliveryFigures {
  attempts: number;
  succeeded: number;
  success_rate: number | null;
  p95_latency_ms: number | null;
}

/** Delivery attempts per period and over the window: how many, how many got a 2xx, and the p95 of their durations. */
export function createDeliverySeries(starts: number[], end: number) {
  const periodOf = periodLookup(starts, end);
  const attempts = new Array<number>(starts.length).fill(0);
  const succeeded = new Array<number>(starts.length).fill(0);
  const durations: number[][] = starts.map(() => []);
  return {
    add(fact: AttemptFact): void {
      const i = periodOf(fact.at.getTime());
      if (i < 0) return;
      attempts[i]! += 1;
      if (fact.outcome === 'success') succeeded[i]! += 1;
      // Attempts that were never sent (endpoint inactive, unsignable) have no duration to count.
      if (typeof fact.duration_ms === 'number') durations[i]!.push(fact.duration_ms);
    },
    result() {
      const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const all = total(attempts);
      const ok = total(succeeded);
      return {
        attempts,
        succeeded,
        success_rate: attempts.map((a, i) => rate(succeeded[i]!, a)),
        p95_latency_ms: durations.map(p95),
        totals: { attempts: all, succeeded: ok, success_rate: rate(ok, all), p95_latency_ms: p95(durations.flat()) } as DeliveryFigures,
      };
    },
  };
}

/**
 * Dead-letter depth at the end of each period, from the deliveries dead-lettered now and when
 * each got there (`before`: how many of them got there before the window).
 */
export function deadLetterDepth(starts: number[], end: number, before: number, times: Date[]): number[] {
  const periodOf = periodLookup(starts, end);
  const added = new Array<number>(starts.length).fill(0);
  for (const t of times) {
    const i = periodOf(t.getTime());
    if (i >= 0) added[i]! += 1;
  }
  let depth = before;
  return added.map((n) => (depth += n));
}

/** The window and period of an overview: the report spec its money and counts are read with. */
export function overviewSpec(window: { from: Date; to: Date; timezone: string }): ReportSpec & { period: ReportPeriod } {
  return { groupBy: ['day'], ...window, period: overviewGranularity(window.from, window.to, window.timezone) };
}
