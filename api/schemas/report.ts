import { z } from 'zod';
import { at, ianaZones, idParam } from './common';
import {
  isReportTimeZone,
  MAX_REPORT_DAYS,
  parseGroupBy,
  reportDimensions,
  reportStatuses,
  resolveReportQuery,
  type ReportSpec,
} from '../../domain/report';

export const reportSources = ['auto', 'raw'] as const;

/** Koa hands a repeated parameter over as an array: say so instead of "expected string". */
const given = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : Array.isArray(issue.input) ? 'must be given once, not repeated' : message;

/** Every value group_by accepts (each dimension at most once, in any order), for the document. */
function groupings(dimensions: readonly string[]): string[] {
  const out: string[] = [];
  const extend = (prefix: string[]) => {
    for (const d of dimensions) {
      if (prefix.includes(d)) continue;
      out.push([...prefix, d].join(','));
      extend([...prefix, d]);
    }
  };
  extend([]);
  return out;
}

const bound = (example: string, meaning: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], {
      error: given('must be a date (YYYY-MM-DD) or an ISO 8601 date-time such as 2026-11-25T00:00:00Z'),
    })
    .optional()
    .meta({ description: meaning, example });

const fields = {
  group_by: z
    .string({ error: given('must be a comma-separated list') })
    .default('day')
    .superRefine((value, ctx) => {
      const parsed = parseGroupBy(value);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    })
    .meta({
      description: `comma-separated, in order: ${reportDimensions.join(', ')}, each once`,
      example: 'day,offer',
      enum: groupings(reportDimensions),
    }),
  from: bound(
    '2026-11-01',
    'start of the window, inclusive. A date is midnight in `timezone`; ' +
      'a date-time without offset is local time there. Default: 7 days before `to`',
  ),
  to: bound(
    '2026-12-01',
    `end of the window, exclusive; at most ${MAX_REPORT_DAYS} days after \`from\`. Default: the end of today in \`timezone\``,
  ),
  timezone: z
    .string({ error: given('must be an IANA time zone') })
    .default('UTC')
    .refine(isReportTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')
    .meta({ description: 'IANA zone in which days (and date-only bounds) are cut', example: 'Europe/Berlin', enum: ianaZones }),
  affiliate_id: idParam.optional().meta({ description: "only this affiliate's clicks, conversions and money" }),
  advertiser_id: idParam.optional().meta({ description: "only the clicks, conversions and money of this advertiser's offers" }),
  source: z
    .enum(reportSources, { error: given(`must be one of ${reportSources.join(', ')}`) })
    .default('auto')
    .meta({
      description:
        '`auto`: the hourly roll-ups when they can cut the window (bounds and, grouped by day, local midnights on whole UTC ' +
        'hours), else the raw rows. `raw`: always the raw clicks, conversions and ledger entries, to check the roll-ups ' +
        'against; refused with 422 `report_too_large` above 1,000,000 rows',
    }),
};

/** The window parameters, shared with GET /api/overview (same dates, same zone rules). */
export const windowFields = {
  from: fields.from,
  to: fields.to,
  timezone: fields.timezone,
  affiliate_id: fields.affiliate_id,
  advertiser_id: fields.advertiser_id,
};

/**
 * The query of GET /api/reports. Built per request with that request's clock, so the defaults
 * the check sees are the defaults the route uses; `reportQuery` (the wall clock) is for tests.
 */
export function reportQueryAt(now: () => Date) {
  return z
    .strictObject(fields, {
      // A misspelt parameter (timezon=…) must not silently give a UTC report.
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown parameter ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(fields).join(', ')}`
          : undefined,
    })
    .superRefine((q, ctx) => {
      // The fields' own checks have reported these already; what is left is the window.
      if (!isReportTimeZone(q.timezone) || 'error' in parseGroupBy(q.group_by)) return;
      const resolved = resolveReportQuery(q, now());
      if ('issues' in resolved)
        for (const issue of resolved.issues) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
      else resolvedAtCheck.set(q, resolved.spec);
    });
}

/**
 * The window each accepted query resolved to when it was checked. The route uses that one rather
 * than reading the clock again: a window at the 366-day limit or a day boundary could pass the
 * check at one instant and not resolve at the next.
 */
const resolvedAtCheck = new WeakMap<object, ReportSpec>();

/** The spec a query resolved to when reportQueryAt checked it (undefined for a query it did not check). */
export function specCheckedFor(query: object): ReportSpec | undefined {
  return resolvedAtCheck.get(query);
}

export const reportQuery = reportQueryAt(() => new Date());
export type ReportQuery = z.infer<typeof reportQuery>;

const conversionCounts = z
  .object({
    total: z.number().int(),
    ...Object.fromEntries(reportStatuses.map((status) => [status, z.number().int()])),
  })
  .meta({ id: 'ReportConversionCounts', description: 'by current status; total is their sum' });

// Mirrors ReportFigures (domain/report.ts): null where a figure does not apply (no currency known,
// clicks and trafficback when grouped by goal, rates without clicks).
const figures = {
  currency: z.string().nullable().meta({ example: 'EUR' }),
  clicks: z.number().int().nullable().meta({
    description: 'clicks sent to their offer; trafficback clicks are not among them. null on rows grouped by goal (clicks have no goal)',
  }),
  trafficback: z
    .number()
    .int()
    .nullable()
    .meta({
      description:
        'clicks not sent to the offer they asked for (offer unknown, paused or expired, affiliate unknown or inactive, cap reached, ' +
        'blocked sub, duplicate click), under that offer and affiliate; in no rate. null on rows grouped by goal',
      example: 4,
    }),
  trafficback_reasons: z
    .record(z.string(), z.number().int())
    .nullable()
    .meta({
      description: 'trafficback clicks per reason; only reasons counted. null on rows grouped by goal',
      example: { cap_reached: 3, offer_paused: 1 },
    }),
  conversions: conversionCounts,
  payout: z.string().nullable().meta({ example: '12.50' }),
  revenue: z.string().nullable().meta({ example: '20.00' }),
  margin: z.string().nullable().meta({ example: '7.50' }),
  conversion_rate: z.number().nullable().meta({ description: 'conversions per click; null without clicks', example: 0.0583 }),
  epc: z.string().nullable().meta({ description: 'earnings per click; null without clicks', example: '0.10' }),
};

export const reportTotal = z.object(figures).meta({ id: 'ReportTotal', description: 'one per currency' });

export const report = z
  .object({
    group_by: z.array(z.enum(reportDimensions)),
    from: at,
    to: at,
    timezone: z.string().meta({ example: 'Europe/Berlin' }),
    source: z.enum(['rollups', 'raw']).meta({ description: 'what the report was read from' }),
    rows: z.array(
      z
        .object({
          day: z.string().optional().meta({ example: '2026-11-24' }),
          offer_id: z.string().optional(),
          affiliate_id: z.string().optional(),
          goal: z.string().nullable().optional(),
          ...figures,
        })
        .meta({ id: 'ReportRow', description: 'one per group and currency; only the grouped keys are present' }),
    ),
    totals: z.array(reportTotal),
  })
  .meta({ id: 'Report' });
