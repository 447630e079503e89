import type { mongo } from 'mongoose';
import type { RetentionRuleResult, RetentionSweepInput, RetentionSweepResult } from '../domain/steps/retention';
import { expiredEventFilters } from '../events/retention';
import type { Models } from '../models';
import { rollupsBuilt } from '../rollups/state';
import {
  clickAgeFilter,
  closedConversionFilter,
  cutoffOf,
  openConversionFilter,
  retentionRules,
  ruleDays,
  type OfferWindow,
  type RetentionRuleName,
} from './policy';

type Row = mongo.Document & { _id: string };
type Filter = mongo.Filter<Row>;

/** A delivery (postback or subscription) in one of these is over: nothing sends it again unless redelivered. */
const ENDED_DELIVERY = ['succeeded', 'failed', 'dead_lettered'];

/** Where the last sweep's result is kept (models/setting.ts), for GET /api/retention and `npx postflow retention`. */
export const LAST_RUN_SETTING = 'retention.last_run';

export interface SweepDeps {
  models: Models;
  now: () => Date;
  /** Called after every batch (the activity heartbeats with it); throwing stops the sweep (cancellation). */
  progress?: (p: { rule: RetentionRuleName; deleted: number }) => void;
}

/**
 * One rule's deletion, in batches: rows due (`due`) are read `batchSize` at a time in `order`
 * (the age field, then _id, so the read follows an index and never revisits a row it kept), the
 * guard names the ones to keep, and the rest go with one deleteMany that repeats `due`, so a row
 * that changed since it was read (a delivery redelivered) is not deleted. A huge backlog is many
 * small deletes, never one giant one.
 */
interface BatchPlan {
  collection: mongo.Collection<Row>;
  due: Filter;
  order: [string, '_id'] | ['_id'];
  /** Fields the guard reads besides _id and the order's. */
  fields?: string[];
  /** The ids of `rows` to keep whatever their age. */
  keep?: (rows: Row[]) => Promise<Set<string>>;
}

async function deleteInBatches(plan: BatchPlan, batchSize: number, onBatch: (deleted: number) => void): Promise<number> {
  const [field] = plan.order;
  const sort = Object.fromEntries(plan.order.map((f) => [f, 1 as const]));
  const projection = Object.fromEntries([...plan.order, ...(plan.fields ?? [])].map((f) => [f, 1]));
  let after: Row | undefined;
  let deleted = 0;
  for (;;) {
    const past: Filter | undefined = !after
      ? undefined
      : plan.order.length === 1
        ? { _id: { $gt: after._id } }
        : { $or: [{ [field]: { $gt: after[field] } }, { [field]: after[field], _id: { $gt: after._id } }] };
    const rows = await plan.collection
      .find(past ? { $and: [plan.due, past] } : plan.due, { projection })
      .sort(sort)
      .limit(batchSize)
      .toArray();
    if (rows.length === 0) break;
    const kept = plan.keep ? await plan.keep(rows) : new Set<string>();
    const ids = rows.map((r) => r._id).filter((id) => !kept.has(id));
    if (ids.length > 0) {
      const { deletedCount } = await plan.collection.deleteMany({ $and: [plan.due, { _id: { $in: ids } }] });
      deleted += deletedCount;
    }
    onBatch(deleted);
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1];
  }
  return deleted;
}

/** The smallest time-ordered id (models/ids.ts newTimeOrderedId) of `prefix` written at or after `at`. */
function timeOrderedBound(prefix: string, at: Date): string {
  return `${prefix}_${at.getTime().toString(16).padStart(12, '0')}`;
}

/**
 * Deletes what the retention policy no longer keeps (retention/policy.ts, one rule after another)
 * and returns what each rule deleted. Idempotent and safe to race with itself and with traffic:
 * every delete is by age and re-checks its condition, so a retried or concurrent sweep agrees.
 */
export async function sweepRetention(deps: SweepDeps, input: RetentionSweepInput): Promise<RetentionSweepResult> {
  const { models } = deps;
  const started = deps.now();
  const { days, batchSize } = input;
  const openConversions = openConversionFilter(started, input.reversalWindowDays);
  const offers = await models.Offer.find({}, { attribution_window_hours: 1 }).lean<OfferWindow[]>();
  const events = expiredEventFilters(cutoffOf(started, days.events)!);
  const raw = (model: { collection: unknown }) => model.collection as mongo.Collection<Row>;

  /** Clicks an open conversion names are kept: a later status postback names the click (api/routes/postback.ts). */
  const keepClicksOfOpenConversions = async (rows: Row[]) => {
    const open = await models.Conversion.find({ click_id: { $in: rows.map((r) => r._id) }, ...openConversions }, { click_id: 1 }).lean<
      { click_id: string }[]
    >();
    return new Set(open.map((c) => c.click_id));
  };
  /** Attempt rows of a delivery still being sent or retried are kept (its schedule and the breaker read them). */
  const keepAttemptsOfUnfinished = (model: { collection: unknown }) => async (rows: Row[]) => {
    const deliveryIds = [...new Set(rows.map((r) => r.delivery_id as string))];
    const unfinished = await raw(model)
      .find({ _id: { $in: deliveryIds }, status: { $nin: ENDED_DELIVERY } }, { projection: { _id: 1 } })
      .toArray();
    const open = new Set(unfinished.map((d) => String(d._id)));
    return new Set(rows.filter((r) => open.has(r.delivery_id as string)).map((r) => r._id));
  };

  /** Each rule's plan at its cutoff (`ruleDays` before the start), or why it deletes nothing now. */
  const planOf = async (rule: RetentionRuleName, cutoff: Date, ruleDays: number): Promise<BatchPlan | { skipped: string }> => {
    switch (rule) {
      case 'clicks':
      case 'test_clicks': {
        const test = rule === 'test_clicks';
        // Reports read raw clicks until the roll-ups hold them (rollups/state.ts): deleting them would change old reports.
        if (!test && !(await rollupsBuilt(models))) return { skipped: 'reports still read raw clicks (run npm run rollups:rebuild)' };
        const age = clickAgeFilter(started, ruleDays, offers)!;
        return {
          collection: raw(models.Click),
          due: { ...age, test: test ? true : { $ne: true } },
          order: ['created_at', '_id'],
          keep: keepClicksOfOpenConversions,
        };
      }
      case 'test_conversions':
        return {
          collection: raw(models.Conversion),
          due: { test: true, received_at: { $lt: cutoff }, ...closedConversionFilter(started, input.reversalWindowDays) },
          order: ['received_at', '_id'],
        };
      case 'deliveries':
      case 'test_deliveries':
        return {
          collection: raw(models.Delivery),
          due: { status: { $in: ENDED_DELIVERY }, updated_at: { $lt: cutoff }, ...(rule === 'test_deliveries' ? { test: true } : {}) },
          order: ['updated_at', '_id'],
        };
      case 'delivery_attempts':
      case 'test_delivery_attempts':
        return {
          collection: raw(models.DeliveryAttempt),
          due: { at: { $lt: cutoff }, ...(rule === 'test_delivery_attempts' ? { test: true } : {}) },
          order: ['at', '_id'],
          fields: ['delivery_id'],
          keep: keepAttemptsOfUnfinished(models.Delivery),
        };
      case 'ingress_log':
        // Rows carry the expiry in force when written (MongoDB's TTL index drops them then); the current retention applies too.
        return {
          collection: raw(models.IngressLogEntry),
          due: { $or: [{ expires_at: { $lte: started } }, { _id: { $lt: timeOrderedBound('ing', cutoff) } }] },
          order: ['_id'],
        };
      case 'events':
        return { collection: raw(models.Event), due: events.Event, order: ['occurred_at', '_id'] };
      case 'subscription_deliveries':
        return { collection: raw(models.SubscriptionDelivery), due: events.SubscriptionDelivery, order: ['updated_at', '_id'] };
      case 'subscription_attempts':
        return { collection: raw(models.SubscriptionAttempt), due: events.SubscriptionAttempt, order: ['at', '_id'] };
      case 'subscription_claims':
        return { collection: raw(models.SubscriptionClaim), due: events.SubscriptionClaim, order: ['claimed_at', '_id'] };
      case 'audit_entries':
        // The id sorts by time (api/audit.ts): the _id index bounds the read.
        return {
          collection: raw(models.AuditEntry),
          due: { _id: { $lt: timeOrderedBound('aud', cutoff) }, at: { $lt: cutoff } },
          order: ['_id'],
        };
      case 'mmp_event_log':
        return { collection: raw(models.MmpEventLog), due: { expires_at: { $lte: cutoff } }, order: ['expires_at', '_id'] };
      case 'click_fingerprints':
        return { collection: raw(models.ClickFingerprint), due: { until: { $lte: cutoff } }, order: ['until', '_id'] };
      case 'sessions':
        return { collection: raw(models.Session), due: { expires_at: { $lte: cutoff } }, order: ['expires_at', '_id'] };
      case 'portal_links':
        return { collection: raw(models.PortalLink), due: { expires_at: { $lte: cutoff } }, order: ['expires_at', '_id'] };
      case 'test_postback_counters':
        return { collection: raw(models.TestPostbackCounter), due: { expires_at: { $lte: cutoff } }, order: ['expires_at', '_id'] };
    }
  };

  const results: RetentionRuleResult[] = [];
  for (const rule of retentionRules) {
    const applied = ruleDays(rule, days);
    const cutoff = cutoffOf(started, applied);
    const result: RetentionRuleResult = { rule: rule.rule, collection: rule.collection, cutoff: cutoff?.toISOString() ?? null, deleted: 0 };
    results.push(result);
    if (!cutoff) continue;
    const plan = await planOf(rule.rule, cutoff, applied!);
    if ('skipped' in plan) {
      result.skipped = plan.skipped;
      continue;
    }
    result.deleted = await deleteInBatches(plan, batchSize, (deleted) => deps.progress?.({ rule: rule.rule, deleted }));
  }
  const outcome: RetentionSweepResult = {
    startedAt: started.toISOString(),
    finishedAt: deps.now().toISOString(),
    deleted: results.reduce((sum, r) => sum + r.deleted, 0),
    rules: results,
  };
  await models.Setting.updateOne({ _id: LAST_RUN_SETTING }, { $set: { value: outcome } }, { upsert: true });
  return outcome;
}

/** The last sweep's result as sweepRetention stored it, with when it was stored; undefined before the first sweep. */
export async function readLastRun(models: Models): Promise<(RetentionSweepResult & { storedAt?: Date }) | undefined> {
  const stored = await models.Setting.findById(LAST_RUN_SETTING).lean<{ value: RetentionSweepResult; updated_at?: Date }>();
  return stored ? { ...stored.value, storedAt: stored.updated_at } : undefined;
}
