import { createReport, type ReportResult, type ReportSpec } from '../domain/report';
import type { RollupCounts, RollupKey, RollupPlan } from '../domain/rollup';
import type { Models } from '../models';

interface StoredBucket extends RollupKey {
  _id: string;
  month: string;
  t?: RollupCounts;
  d?: Record<string, RollupCounts>;
  b?: Record<string, Record<string, RollupCounts>>;
  h?: Record<string, Record<string, RollupCounts>>;
}

/**
 * The report from the roll-up buckets (planRollupRead): the months in the window, projected to
 * the parts the plan needs, so the documents read grow with the keys and the months, never with
 * the clicks or conversions behind them. Plain driver reads: these are
 * counters, and Mongoose's hydration would cost more than the query.
 */
export async function reportFromRollups(
  models: Models,
  spec: ReportSpec,
  plan: RollupPlan,
  /** Narrows the buckets by offer_id / affiliate_id (a partner's report). */
  rows: Record<string, unknown> = {},
): Promise<ReportResult> {
  const report = createReport(spec);
  const offers = await models.Offer.find({}, { currency: 1 }).lean<{ _id: string; currency: string }[]>();
  const currencyOf = new Map(offers.map((o) => [o._id, o.currency]));

  // One read per set of months that need the same parts (a year: the inner months' totals, the
  // first and last month's days and hours), each projected to those parts alone.
  const byProjection = new Map<string, string[]>();
  for (const [month, parts] of plan) {
    const paths = new Set(parts.map((p) => (p.path === 't' || p.path === 'd' ? p.path : `${p.path}.${p.hour}`)));
    const key = [...paths].sort().join(' ');
    byProjection.set(key, [...(byProjection.get(key) ?? []), month]);
  }
  for (const [paths, months] of byProjection) {
    const projection = Object.fromEntries(
      ['month', 'offer_id', 'affiliate_id', 'goal', 'currency', ...paths.split(' ')].map((p) => [p, 1]),
    );
    await addBuckets(models.Rollup.collection.find<StoredBucket>({ ...rows, month: { $in: months } }, { projection, batchSize: 10_000 }));
  }
  return report.result();

  async function addBuckets(buckets: AsyncIterable<StoredBucket>) {
    for await (const b of buckets) {
      // The parts counted at one instant go to one row: summed first, they cost one addRollup.
      const sums = new Map<number, { at: Date; counts: Record<string, number> }>();
      for (const part of plan.get(b.month) ?? []) {
        const counts = part.path === 't' ? b.t : part.path === 'd' ? b.d?.[part.day] : b[part.path]?.[part.hour]?.[part.day];
        if (!counts) continue;
        let sum = sums.get(part.at.getTime());
        if (!sum) sums.set(part.at.getTime(), (sum = { at: part.at, counts: {} }));
        for (const [field, n] of Object.entries(counts)) sum.counts[field] = (sum.counts[field] ?? 0) + part.sign * (n as number);
      }
      // A click (and a conversion stored without a currency) counts in its offer's currency, read now as the raw report does.
      const fact = { ...b, currency: b.currency ?? currencyOf.get(b.offer_id) ?? null };
      for (const { at, counts } of sums.values()) report.addRollup(fact, at, counts);
    }
  }
}
