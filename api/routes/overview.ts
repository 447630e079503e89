import { reportRowFilters } from '../access/report-scope';
import { seriesFromRows } from '../../domain/overview';
import { periodStarts } from '../../domain/report';
import { planRollupRead } from '../../domain/rollup';
import type { Models } from '../../models';
import { reportFromRollups } from '../../rollups/read';
import { rollupsBuilt } from '../../rollups/state';
import { json } from '../openapi/operation';
import { capUse } from '../overview/cap-use';
import { deadLetters, deliveryFigures } from '../overview/deliveries';
import { route, type Route } from '../route';
import { overview, overviewQueryAt, overviewSpecFor } from '../schemas/overview';
import { buildReport, REPORT_SCAN_LIMIT } from './reports';

export interface OverviewDeps {
  models: Models;
  now?: () => Date;
  scanLimit?: number;
}

/** The console's overview: the report's figures as a time series, with delivery health and cap use. */
export function overviewRoutes(deps: OverviewDeps): Route[] {
  const { models } = deps;
  const scanLimit = deps.scanLimit ?? REPORT_SCAN_LIMIT;
  const now = deps.now ?? (() => new Date());
  const spec = {
    method: 'get',
    path: '/api/overview',
    tag: 'Reports',
    access: 'admin',
    realms: { ops: true, affiliate: { filter: 'affiliate_id' }, advertiser: { filter: 'advertiser_id' } },
    summary: 'Time series of clicks, conversions, money and delivery health, with cap use now',
    description:
      'The figures of GET /api/reports (same window, zone and rules; the totals are equal to the cent) per minute for ranges ' +
      'up to 6 hours, per hour up to 7 days, per day beyond; delivery attempts per period (success rate, p95 latency), ' +
      'dead-letter depth, and every cap in its current window. Minute series, and hours in a zone whose hours do not start ' +
      'on whole UTC hours, are read from the raw rows: at most 1,000,000 of them (422 `report_too_large`).',
    query: overviewQueryAt(now),
    responses: { 200: json(overview, 'One value per period for each series') },
    errors: [400, 422],
  } as const;
  return [
    route(spec, async (ctx, { query }) => {
      const spec = overviewSpecFor(query);
      if (!spec) throw new Error('overview query reached the route without passing overviewQueryAt');
      // Exactly as GET /api/reports reads it, so the two agree to the cent by construction.
      const plan = planRollupRead(spec);
      const fromRollups = plan !== null && (await rollupsBuilt(models));
      const scope = await reportRowFilters(models, query);
      const report = fromRollups
        ? await reportFromRollups(models, spec, plan, scope.rows)
        : await buildReport(models, spec, scanLimit, scope.rows);
      const periods = periodStarts(spec);
      const starts = periods.map((p) => p.start);
      const [deliveries, dead, caps] = await Promise.all([
        deliveryFigures(models, spec, starts, scanLimit, scope.attempts),
        deadLetters(models, spec, starts, scanLimit, scope.deliveries),
        // An advertiser sees its offers' caps, but not those counting the affiliates' payout.
        scope.noCaps ? [] : capUse(models, now(), scope.offers).then((c) => (scope.offers ? c.filter((u) => u.metric !== 'payout') : c)),
      ]);
      ctx.body = {
        from: spec.from.toISOString(),
        to: spec.to.toISOString(),
        timezone: spec.timezone,
        granularity: spec.period,
        source: fromRollups ? 'rollups' : 'raw',
        periods: starts.map((s) => new Date(s).toISOString()),
        series: seriesFromRows(
          periods.map((p) => p.key),
          report.rows,
        ),
        totals: report.totals,
        deliveries,
        dead_letters: dead,
        caps,
      };
    }),
  ];
}
