import { reportRowFilters } from '../access/report-scope';
import { createReport, type ReportLedgerEntry, type ReportSpec } from '../../domain/report';
import { planRollupRead } from '../../domain/rollup';
import type { Models } from '../../models';
import { reportFromRollups } from '../../rollups/read';
import { rollupsBuilt } from '../../rollups/state';
import { ApiError } from '../errors';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { report, reportQueryAt, specCheckedFor } from '../schemas/report';

/**
 * Most documents (clicks + conversions + ledger entries) one report may read from the raw rows.
 * The raw report is aggregated in this process from streamed, projected documents (the test
 * MongoDB's aggregation support is too thin to trust with money), so its cost grows with the
 * rows in the window; past this it answers 422 instead of holding a connection and a core for
 * minutes. Memory is bounded by the number of result rows, not by this limit. Reports from the
 * roll-ups (rollups/read.ts) read buckets, not rows, and have no such limit.
 */
export const REPORT_SCAN_LIMIT = 1_000_000;
/** Ledger entries looked up together when their conversion's goal is needed. */
const GOAL_BATCH = 1_000;

export interface ReportDeps {
  models: Models;
  now?: () => Date;
  scanLimit?: number;
}

export function reportRoutes(deps: ReportDeps): Route[] {
  const { models } = deps;
  const scanLimit = deps.scanLimit ?? REPORT_SCAN_LIMIT;
  const now = deps.now ?? (() => new Date());

  const spec = {
    method: 'get',
    path: '/api/reports',
    tag: 'Reports',
    access: 'admin',
    realms: { ops: true, affiliate: { filter: 'affiliate_id' }, advertiser: { filter: 'advertiser_id' } },
    summary: 'Clicks, conversions and money, grouped',
    description:
      'Read from hourly roll-ups kept by the steps that record clicks, conversions and ledger entries; `source=raw` reads ' +
      'the raw rows instead, to check them (the two agree to the cent).',
    // Checked with this app's clock, so the defaults the check sees are the ones the route uses.
    query: reportQueryAt(now),
    responses: { 200: json(report, 'Rows per group and currency, and totals per currency') },
    errors: [400, 422],
  } as const;
  const handler = route(spec, async (ctx, { query: q }) => {
    const spec = specCheckedFor(q);
    if (!spec) throw new Error('report query reached the route without passing reportQueryAt');
    // The roll-ups answer what they can cut exactly; the rest (and every check) reads the raw rows.
    const plan = q.source === 'raw' ? null : planRollupRead(spec);
    const fromRollups = plan !== null && (await rollupsBuilt(models));
    const { rows } = await reportRowFilters(models, q);
    const result = fromRollups ? await reportFromRollups(models, spec, plan, rows) : await buildReport(models, spec, scanLimit, rows);
    ctx.body = {
      group_by: spec.groupBy,
      from: spec.from.toISOString(),
      to: spec.to.toISOString(),
      timezone: spec.timezone,
      source: fromRollups ? 'rollups' : 'raw',
      ...result,
    };
  });
  return [handler];
}

/** The report from the raw rows (clicks, conversions, ledger entries), at most `scanLimit` of them. */
export async function buildReport(models: Models, spec: ReportSpec, scanLimit: number, rows: Record<string, unknown> = {}) {
  const report = createReport(spec);
  const inWindow = (field: string) => ({ ...rows, [field]: { $gte: spec.from, $lt: spec.to } });
  // Test clicks and conversions count in no report (their ledger lines do not exist).
  const real = { test: { $ne: true } };
  let scanned = 0;
  const scan = () => {
    scanned += 1;
    if (scanned > scanLimit) {
      throw new ApiError(
        422,
        'report_too_large',
        `this report would read more than ${scanLimit} clicks, conversions and ledger entries; ask for a shorter from/to window`,
      );
    }
  };

  // Offers are configuration (few); a click or an unattributed conversion takes its offer's currency.
  const offers = await models.Offer.find({}, { currency: 1 }).lean<{ _id: string; currency: string }[]>();
  const currencyOf = new Map(offers.map((o) => [o._id, o.currency]));

  const conversions = models.Conversion.find(
    { ...inWindow('received_at'), ...real },
    {
      received_at: 1,
      offer_id: 1,
      affiliate_id: 1,
      goal: 1,
      status: 1,
      currency: 1,
    },
  )
    .lean<{
      received_at: Date;
      offer_id: string;
      affiliate_id: string;
      goal: string;
      status: string;
      currency?: string;
    }>()
    .cursor({ batchSize: 1000 });
  for await (const c of conversions) {
    scan();
    report.addConversion({ ...c, currency: c.currency ?? currencyOf.get(c.offer_id) ?? null });
  }

  // Ledger entries carry no goal: when grouping by it, each batch looks up its conversions' goals.
  const byGoal = spec.groupBy.includes('goal');
  let pending: (ReportLedgerEntry & { conversion_id: string })[] = [];
  const flush = async () => {
    if (byGoal && pending.length > 0) {
      const ids = [...new Set(pending.map((e) => e.conversion_id))];
      const found = await models.Conversion.find({ _id: { $in: ids } }, { goal: 1 }).lean<{ _id: string; goal: string }[]>();
      const goals = new Map(found.map((c) => [c._id, c.goal]));
      for (const entry of pending) report.addLedgerEntry({ ...entry, goal: goals.get(entry.conversion_id) ?? null });
    }
    pending = [];
  };
  const entries = models.LedgerEntry.find(inWindow('created_at'), {
    created_at: 1,
    offer_id: 1,
    affiliate_id: 1,
    account: 1,
    amount_minor: 1,
    currency: 1,
    conversion_id: 1,
  })
    .lean<ReportLedgerEntry & { conversion_id: string }>()
    .cursor({ batchSize: 1000 });
  for await (const entry of entries) {
    scan();
    if (!byGoal) report.addLedgerEntry(entry);
    else if (pending.push(entry) >= GOAL_BATCH) await flush();
  }
  await flush();

  // A trafficback click (not sent to its offer) carries its reason: counted there, not as a click.
  const clicks = models.Click.find(
    { ...inWindow('created_at'), ...real },
    { created_at: 1, offer_id: 1, affiliate_id: 1, 'trafficback.reason': 1 },
  )
    .lean<{ created_at: Date; offer_id: string; affiliate_id: string; trafficback?: { reason: string } }>()
    .cursor({ batchSize: 1000 });
  for await (const click of clicks) {
    scan();
    report.addClick({ ...click, currency: currencyOf.get(click.offer_id) ?? null });
  }
  return report.result();
}
