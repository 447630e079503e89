import { createReport, type ReportResult, type ReportSpec } from '../domain/report';
import type { RollupCounts, RollupKey, RollupPlan } from '../domain/rollup';
import type { Models } from '../models';

interface StoredBucket extends RollupKey {
  _id: string;
  day?: string;
  month?: string;
  t?: RollupCounts;
  h?: Record<string, RollupCounts>;
}

const keyFields = { offer_id: 1, affiliate_id: 1, goal: 1, currency: 1 };
/** Driver reads: these are plain counters, and Mongoose's hydration would cost more than the query. */
const BATCH = 10_000;

/**
 * The report from the roll-up buckets that tile its window (planRollupRead): month totals,
 * day totals, and the hours of the days cut by the window or by the zone's midnights. Reads
 * a number of buckets that grows with the keys and the days, never with clicks or conversions.
 */
export async function reportFromRollups(models: Models, spec: ReportSpec, plan: RollupPlan): Promise<ReportResult> {
  const report = createReport(spec);
  const offers = await models.Offer.find({}, { currency: 1 }).lean<{ _id: string; currency: string }[]>();
  const currencyOf = new Map(offers.map((o) => [o._id, o.currency]));
  // A click (and a conversion stored without a currency) counts in its offer's currency, read now as the raw report does.
  const add = (bucket: StoredBucket, at: Date, counts: RollupCounts | undefined) => {
    if (!counts) return;
    report.addRollup({ ...bucket, currency: bucket.currency ?? currencyOf.get(bucket.offer_id) ?? null }, at, counts);
  };
  const read = <T>(
    collection: { find(filter: object, options: object): { toArray(): Promise<T[]> } },
    filter: object,
    projection: object,
  ) => collection.find(filter, { projection, batchSize: BATCH }).toArray();

  const hourDays = [...plan.hours.keys()];
  const [months, days, hours] = await Promise.all([
    plan.months.length === 0
      ? []
      : read<StoredBucket>(models.RollupMonth.collection, { month: { $in: plan.months } }, { ...keyFields, month: 1, t: 1 }),
    plan.days.length === 0
      ? []
      : read<StoredBucket>(models.RollupDay.collection, { day: { $in: plan.days } }, { ...keyFields, day: 1, t: 1 }),
    hourDays.length === 0
      ? []
      : read<StoredBucket>(models.RollupDay.collection, { day: { $in: hourDays } }, { ...keyFields, day: 1, h: 1 }),
  ]);
  for (const b of months) add(b, new Date(`${b.month}-01T00:00:00Z`), b.t);
  for (const b of days) add(b, new Date(`${b.day}T00:00:00Z`), b.t);
  for (const b of hours) {
    for (const hour of plan.hours.get(b.day!) ?? []) add(b, new Date(`${b.day}T${hour}:00:00Z`), b.h?.[hour]);
  }
  return report.result();
}
