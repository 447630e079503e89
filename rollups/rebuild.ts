import { bucketUpdates, clicked, conversionCreated, ledgerBooked, statusMoved, type RollupDelta } from '../domain/rollup';
import type { LifecycleStatus } from '../domain/status';
import type { Models } from '../models';
import { markRollupsBuilt } from './state';
import { conversionRollupFields, conversionRollupKey } from './conversion-key';

/** Rows read per lookup of their conversions, and buckets written per insertMany. */
const BATCH = 1_000;

export interface RebuildProgress {
  month: string;
  clicks: number;
  conversions: number;
  ledgerEntries: number;
  buckets: number;
}

type BucketDoc = Record<string, unknown> & { _id: string };

/**
 * Builds the report roll-ups from the raw rows, one UTC month at a time: for existing databases
 * (rows from before the roll-ups) and to repair. Each month's buckets are replaced as a whole.
 * Run it with the API and the worker stopped: a click or a step that lands in a month while it is
 * being rebuilt may be counted twice or not at all. Steps a stopped worker left half done are
 * left to it: a conversion not yet counted (rollup_created false) and ledger entries of a
 * transition not yet applied (seq past the conversion's status_seq) are counted when it resumes.
 */
export async function rebuildRollups(models: Models, onProgress: (p: RebuildProgress) => void = () => undefined): Promise<void> {
  const months = await monthsWithRows(models);
  for (const month of months) onProgress(await rebuildMonth(models, month));
  await markRollupsBuilt(models, `rebuilt from raw rows (${months.length} months)`);
}

async function monthsWithRows(models: Models): Promise<string[]> {
  const edge = (order: 1 | -1) => [
    models.Click.findOne({}, { created_at: 1 })
      .sort({ created_at: order })
      .lean()
      .then((c) => c?.created_at),
    models.Conversion.findOne({}, { received_at: 1 })
      .sort({ received_at: order })
      .lean()
      .then((c) => c?.received_at),
    models.LedgerEntry.findOne({}, { created_at: 1 })
      .sort({ created_at: order })
      .lean()
      .then((e) => e?.created_at),
  ];
  const bounds = (await Promise.all([...edge(1), ...edge(-1)])).filter((d): d is Date => d instanceof Date);
  if (bounds.length === 0) return [];
  const start = new Date(Math.min(...bounds.map((d) => d.getTime())));
  const end = new Date(Math.max(...bounds.map((d) => d.getTime())));
  const months: string[] = [];
  for (let y = start.getUTCFullYear(), m = start.getUTCMonth(); Date.UTC(y, m, 1) <= end.getTime(); m++) {
    months.push(new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7));
  }
  return months;
}

async function rebuildMonth(models: Models, month: string): Promise<RebuildProgress> {
  const from = new Date(`${month}-01T00:00:00Z`);
  const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  const inMonth = (field: string) => ({ [field]: { $gte: from, $lt: to } });
  const buckets = new Map<string, BucketDoc>();
  const fold = (deltas: RollupDelta[]) => {
    for (const u of bucketUpdates(deltas)) {
      let doc = buckets.get(u._id);
      if (!doc) buckets.set(u._id, (doc = { _id: u._id, ...u.fields }));
      for (const [path, n] of Object.entries(u.inc)) {
        const parts = path.split('.');
        let node = doc as Record<string, unknown>;
        for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
        const leaf = parts[parts.length - 1]!;
        node[leaf] = ((node[leaf] as number | undefined) ?? 0) + n;
      }
    }
  };
  const progress: RebuildProgress = { month, clicks: 0, conversions: 0, ledgerEntries: 0, buckets: 0 };

  // The reason of a trafficback click too: it counts there, as countClicks counts it, not as a click.
  for await (const c of models.Click.find(
    { ...inMonth('created_at'), test: { $ne: true } },
    { created_at: 1, offer_id: 1, affiliate_id: 1, 'trafficback.reason': 1 },
  )
    .lean<{ created_at: Date; offer_id: string; affiliate_id: string; trafficback?: { reason: string } }>()
    .cursor({ batchSize: BATCH })) {
    fold([clicked(c.created_at, c.offer_id, c.affiliate_id, c.trafficback)]);
    progress.clicks += 1;
  }

  type StoredConversion = {
    _id: string;
    received_at: Date;
    offer_id: string;
    affiliate_id: string;
    goal: string;
    currency?: string;
    status: LifecycleStatus;
    status_seq: number;
    rollup_created?: boolean;
  };
  const conversionFields = { ...conversionRollupFields, status: 1, status_seq: 1, rollup_created: 1 };
  for await (const c of models.Conversion.find({ ...inMonth('received_at'), test: { $ne: true } }, conversionFields)
    .lean<StoredConversion>()
    .cursor({ batchSize: BATCH })) {
    if (c.rollup_created === false) continue; // its screening step counts it when it resumes
    const key = conversionRollupKey(c);
    fold([conversionCreated(c.received_at, key), statusMoved(c.received_at, key, 'processing', c.status)]);
    progress.conversions += 1;
  }

  type StoredEntry = {
    conversion_id: string;
    seq: number;
    created_at: Date;
    offer_id: string;
    affiliate_id: string;
    account: string;
    amount_minor: number;
    currency: string;
  };
  let pending: StoredEntry[] = [];
  const flush = async () => {
    const ids = [...new Set(pending.map((e) => e.conversion_id))];
    const found = await models.Conversion.find({ _id: { $in: ids } }, { goal: 1, status_seq: 1 }).lean<
      { _id: string; goal: string; status_seq: number }[]
    >();
    const conversions = new Map(found.map((c) => [c._id, c]));
    for (const e of pending) {
      const conversion = conversions.get(e.conversion_id);
      if (conversion && e.seq > conversion.status_seq) continue; // its transition step counts it when it resumes
      const key = { offer_id: e.offer_id, affiliate_id: e.affiliate_id, goal: conversion?.goal ?? null, currency: e.currency };
      fold([ledgerBooked({ ...e, key })]);
      progress.ledgerEntries += 1;
    }
    pending = [];
  };
  const entryFields = { conversion_id: 1, seq: 1, created_at: 1, offer_id: 1, affiliate_id: 1, account: 1, amount_minor: 1, currency: 1 };
  for await (const e of models.LedgerEntry.find(inMonth('created_at'), entryFields).lean<StoredEntry>().cursor({ batchSize: BATCH })) {
    if (pending.push(e) >= BATCH) await flush();
  }
  await flush();

  await models.Rollup.collection.deleteMany({ month });
  const docs = [...buckets.values()];
  for (let i = 0; i < docs.length; i += BATCH)
    await models.Rollup.collection.insertMany(docs.slice(i, i + BATCH) as never[], { ordered: false });
  progress.buckets = docs.length;
  return progress;
}
