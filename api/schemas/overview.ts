import { z } from 'zod';
import { LAST_PATTERN, lastWindow, overviewSpec } from '../../domain/overview';
import { isReportTimeZone, resolveReportQuery, type ReportPeriod, type reportStatuses, type ReportSpec } from '../../domain/report';
import { at } from './common';
import { reportTotal, windowFields } from './report';

const given = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : Array.isArray(issue.input) ? 'must be given once, not repeated' : message;

const fields = {
  ...windowFields,
  last: z
    .string({ error: given('must be a number of hours or days such as 6h, 24h, 7d or 90d') })
    .regex(LAST_PATTERN, 'must be a number of hours or days such as 6h, 24h, 7d or 90d')
    .optional()
    .meta({
      description:
        'instead of `from` and `to`: the last hours (`6h`) or local days (`7d`) up to the end of the current minute, hour or day',
      example: '24h',
    }),
};

export type OverviewSpec = ReportSpec & { period: ReportPeriod };
const resolvedAtCheck = new WeakMap<object, OverviewSpec>();

/** The query of GET /api/overview, checked with that request's clock (as reportQueryAt is). */
export function overviewQueryAt(now: () => Date) {
  return z
    .strictObject(fields, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown parameter ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(fields).join(', ')}`
          : undefined,
    })
    .superRefine((q, ctx) => {
      if (!isReportTimeZone(q.timezone)) return;
      if (q.last !== undefined) {
        if (q.from !== undefined || q.to !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['last'], message: 'give either last or from and to, not both' });
          return;
        }
        const timezone = new Intl.DateTimeFormat('en', { timeZone: q.timezone }).resolvedOptions().timeZone;
        const window = lastWindow(q.last, timezone, now());
        if ('error' in window) ctx.addIssue({ code: 'custom', path: ['last'], message: window.error });
        else resolvedAtCheck.set(q, overviewSpec({ ...window, timezone }));
        return;
      }
      const resolved = resolveReportQuery({ ...q, group_by: 'day' }, now());
      if ('issues' in resolved)
        for (const issue of resolved.issues) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
      else resolvedAtCheck.set(q, overviewSpec(resolved.spec));
    });
}

export function overviewSpecFor(query: object): OverviewSpec | undefined {
  return resolvedAtCheck.get(query);
}

export const overviewQuery = overviewQueryAt(() => new Date());

const perPeriod = <T extends z.ZodType>(item: T, description: string) => z.array(item).meta({ description });

const counts = z.array(z.number().int());

const currencySeries = z
  .object({
    currency: z.string().nullable().meta({ example: 'USD' }),
    clicks: perPeriod(z.number().int(), 'clicks per period'),
    trafficback: perPeriod(z.number().int(), 'trafficback clicks per period (not sent to their offer; not in clicks)'),
    conversions: z
      .object({
        total: counts,
        approved: counts,
        pending: counts,
        held: counts,
        declined: counts,
        reversed: counts,
        rejected: counts,
        processing: counts,
      } satisfies Record<'total' | (typeof reportStatuses)[number], z.ZodType>)
      .meta({ description: 'conversions received per period, by current status; total is their sum' }),
    payout: perPeriod(z.string().nullable(), 'affiliate payout booked per period (decimal strings)'),
    revenue: perPeriod(z.string().nullable(), 'advertiser revenue booked per period (decimal strings)'),
    conversion_rate: perPeriod(z.number().nullable(), 'conversions per click; null without clicks'),
    epc: perPeriod(z.string().nullable(), 'payout per click; null without clicks'),
  })
  .meta({ id: 'OverviewCurrencySeries', description: 'one per currency: amounts of different currencies are never added' });

const deliveryFigures = {
  attempts: z.number().int(),
  succeeded: z.number().int().meta({ description: 'attempts answered with a 2xx' }),
  success_rate: z.number().nullable().meta({ description: 'succeeded over attempts; null without attempts' }),
  p95_latency_ms: z.number().int().nullable().meta({ description: 'nearest-rank 95th percentile of the sent attempts’ durations' }),
};

const capUse = z
  .object({
    offer_id: z.string(),
    offer_name: z.string(),
    cap_id: z.string(),
    goal: z.string().nullable(),
    affiliate_id: z.string().nullable().meta({ description: 'set for a per-affiliate cap: one entry per affiliate with a place taken' }),
    metric: z.enum(['conversions', 'payout']),
    period: z.enum(['day', 'week', 'month', 'total']),
    timezone: z.string(),
    window_start: at.nullable().meta({ description: 'the current window, null for a total cap' }),
    window_end: at.nullable(),
    used: z.string().meta({ description: 'places taken: a count, or a decimal amount for a payout cap', example: '37' }),
    limit: z.string().meta({ example: '100' }),
    currency: z.string().nullable().meta({ description: 'of a payout cap' }),
    used_fraction: z.number().meta({ description: 'used over limit (0 to 1)' }),
  })
  .meta({ id: 'OverviewCapUse' });

export const overview = z
  .object({
    from: at,
    to: at,
    timezone: z.string().meta({ example: 'Europe/Berlin' }),
    granularity: z.enum(['minute', 'hour', 'day']).meta({ description: 'minute up to 6 hours, hour up to 7 days, day beyond' }),
    source: z.enum(['rollups', 'raw']).meta({ description: 'what the clicks, conversions and money were read from' }),
    periods: z.array(at).meta({ description: 'the start of every period (UTC); every series has one value per period' }),
    series: z.array(currencySeries),
    totals: z.array(reportTotal).meta({ description: 'per currency, as GET /api/reports gives them for the same window' }),
    deliveries: z
      .object({
        attempts: perPeriod(z.number().int(), 'delivery attempts per period'),
        succeeded: perPeriod(z.number().int(), 'attempts answered with a 2xx'),
        success_rate: perPeriod(z.number().nullable(), 'succeeded over attempts'),
        p95_latency_ms: perPeriod(z.number().int().nullable(), 'p95 of the durations of the attempts sent'),
        totals: z.object(deliveryFigures),
      })
      .meta({ id: 'OverviewDeliveries', description: 'affiliate postback attempts made in the window, by their time' }),
    dead_letters: z
      .object({
        now: z.number().int().meta({ description: 'deliveries dead-lettered now' }),
        depth: perPeriod(
          z.number().int(),
          'at the end of each period, how many of the deliveries dead-lettered now were already there (a redelivered one leaves the count)',
        ),
      })
      .meta({ id: 'OverviewDeadLetters' }),
    caps: z.array(capUse).meta({ description: 'each cap of an active offer in its current window, fullest first (at most 100)' }),
  })
  .meta({ id: 'Overview' });
