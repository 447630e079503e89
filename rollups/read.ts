import { createReport, type ReportResult, type ReportSpec } from '../domain/report';
import type { RollupCounts, RollupKey, RollupPlan } from '../domain/rollup';
import type { Models } from '../models';

interface StoredBucket extends RollupKey {
  _id: string;
  month: string;
  t?: RollupCounts;
  d?: Record<string, RollupCounts>;
  h?: Record<string, Record<string, RollupCounts>>;
}

/**
 * The report from the roll-up buckets (planRollupRead): one read of the months in the window,
 * projected to the parts the plan needs, so the documents read grow with the keys and the
 * months, never with the clicks or conversions behind them. Plain driver reads: these are
 * counters, and Mongoose's hydration would cost more than the query.
 */
export async function reportFromRollups(models: Models, spec: ReportSpec, plan: RollupPlan): Promise<ReportResult> {
  const report = createReport(spec);
  const offers = await models.Offer.find({}, { currency: 1 }).lean<{ _id: string; currency: string }[]>();
  const currencyOf = new Map(offers.map((o) => [o._id, o.currency]));

  const projection: Record<string, 1> = { month: 1, offer_id: 1, affiliate_id: 1, goal: 1, currency: 1 };
  for (const parts of plan.values()) {
    for (const part of parts) projection[part.path === 't' ? 't' : part.path === 'd' ? 'd' : `h.${part.hour}`] = 1;
  }
  const buckets = models.Rollup.collection.find<StoredBucket>({ month: { $in: [...plan.keys()] } }, { projection, batchSize: 10_000 });
  for await (const b of buckets) {
    // The parts counted at one instant go to one row: summed first, they cost one addRollup.
    const sums = new Map<number, { at: Date; counts: Record<string, number> }>();
    for (const part of plan.get(b.month) ?? []) {
      const counts = part.path === 't' ? b.t : part.path === 'd' ? b.d?.[part.day] : b.h?.[part.hour]?.[part.day];
      if (!counts) continue;
      let sum = sums.get(part.at.getTime());
      if (!sum) sums.set(part.at.getTime(), (sum = { at: part.at, counts: {} }));
      for (const [field, n] of Object.entries(counts)) sum.counts[field] = (sum.counts[field] ?? 0) + part.sign * (n as number);
    }
    // A click (and a conversion stored without a currency) counts in its offer's currency, read now as the raw report does.
    const fact = { ...b, currency: b.currency ?? currencyOf.get(b.offer_id) ?? null };
    for (const { at, counts } of sums.values()) report.addRollup(fact, at, counts);
  }
  return report.result();
}
