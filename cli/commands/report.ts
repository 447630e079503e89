import type { Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { formatRate, right, table, type Cell } from '../format';

/** Status columns in the order the lifecycle reads; a status the API adds later comes after them. */
const statusOrder = ['approved', 'pending', 'held', 'declined', 'reversed', 'rejected', 'processing'];

/** Group key → the field a row carries it in (GET /api/reports). */
const groupFields: Record<string, string> = { day: 'day', offer: 'offer_id', affiliate: 'affiliate_id', goal: 'goal' };

/** Figures of a row or a currency total; null where a figure has no meaning (clicks by goal, money without a currency). */
export interface ReportFigures {
  currency: string | null;
  clicks: number | null;
  /** Clicks not sent to their offer (not in `clicks`); absent from a server older than trafficback. */
  trafficback?: number | null;
  trafficback_reasons?: Record<string, number> | null;
  conversions: { total: number } & Record<string, number>;
  payout: string | null;
  revenue: string | null;
  margin: string | null;
  conversion_rate: number | null;
  epc: string | null;
}

export interface Report {
  group_by: string[];
  from?: string;
  to?: string;
  timezone?: string;
  rows: (ReportFigures & Record<string, unknown>)[];
  totals: ReportFigures[];
}

const dash = (value: string | number | null | undefined) => (value === null || value === undefined ? '–' : value);

/** Statuses some row or total counts, in lifecycle order. */
function statusColumns(report: Report): string[] {
  const seen = new Set<string>();
  for (const r of [...report.rows, ...report.totals])
    for (const [status, n] of Object.entries(r.conversions)) if (status !== 'total' && n > 0) seen.add(status);
  const rank = (s: string) => (statusOrder.includes(s) ? statusOrder.indexOf(s) : statusOrder.length);
  return [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Rows, then the totals per currency. Status columns appear only for statuses some row has, so
 * the common case (approved and pending) fits a terminal; --json always has all of them.
 */
export function renderReport(report: Report): string {
  const keys = report.group_by.map((k) => groupFields[k] ?? k);
  const shown = statusColumns(report);
  const figures = (r: ReportFigures): Cell[] => [
    dash(r.currency),
    right(dash(r.clicks)),
    right(dash(r.trafficback)),
    right(r.conversions.total),
    ...shown.map((s) => right(r.conversions[s] ?? 0)),
    right(dash(r.payout)),
    right(dash(r.revenue)),
    right(dash(r.margin)),
    right(formatRate(r.conversion_rate)),
    right(dash(r.epc)),
  ];
  const head = ['currency', 'clicks', 'trafficback', 'conversions', ...shown, 'payout', 'revenue', 'margin', 'CR', 'EPC'];
  const period = [report.from && `from ${report.from}`, report.to && `to ${report.to}`, report.timezone && `(${report.timezone})`]
    .filter(Boolean)
    .join(' ');
  const title = `Report by ${report.group_by.join(', ')}${period ? `, ${period}` : ''}`;
  if (report.rows.length === 0) return `${title}\nNo clicks, conversions or bookings in this period.`;
  const rows = report.rows.map((r) => [...keys.map((k) => (r[k] === null || r[k] === undefined ? '–' : String(r[k]))), ...figures(r)]);
  const totals = report.totals.map((t) => [...keys.map((_, i) => (i === 0 ? 'total' : '')), ...figures(t)]);
  return `${title}\n${table([...keys, ...head], rows)}\n${table([...keys.map((k, i) => (i === 0 ? 'totals' : k)), ...head], totals)}`;
}

interface ReportOptions {
  groupBy: string;
  from?: string;
  to?: string;
  timezone?: string;
}

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('clicks, trafficback clicks, conversions by status, payout, revenue, margin, conversion rate and EPC, grouped')
    .option('--group-by <keys>', 'comma list of day, offer, affiliate, goal', 'day')
    .option('--from <date>', 'start, inclusive: YYYY-MM-DD (midnight in --timezone) or an ISO 8601 date-time')
    .option('--to <date>', 'end, exclusive: YYYY-MM-DD or an ISO 8601 date-time')
    .option('--timezone <iana>', 'time zone for days and plain dates, e.g. Europe/Berlin (API default UTC)')
    .addHelpText(
      'after',
      `
Calls GET /api/reports. Money is per currency: rows and totals never add different currencies.
trafficback counts the clicks not sent to their offer (capped, paused, duplicate…); they are not in clicks,
CR or EPC. --json has them per reason (trafficback_reasons).
--json prints the API's answer: {"group_by", "from", "to", "timezone", "rows": [...], "totals": [...]}.

Examples:
  npx postflow report --group-by day,offer --from 2026-11-01 --to 2026-12-01 --timezone Europe/Berlin
  npx postflow report --group-by affiliate --from 2026-11-01 --to 2026-12-01 --json`,
    )
    .action(async (opts: ReportOptions, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const report = await ctx
        .api()
        .get<Report>('/api/reports', { group_by: opts.groupBy, from: opts.from, to: opts.to, timezone: opts.timezone });
      if (ctx.json) return ctx.printJson(report);
      ctx.print(renderReport(report));
    });
}
