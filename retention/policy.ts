import { isFinal, lifecycleStatuses } from '../domain/status';
import type { RetentionDays } from '../domain/steps/retention';

/**
 * What postflow keeps, and for how long: one row per rule, pure (no I/O). The sweep
 * (retention/sweep.ts) implements each rule by its name; the API, the CLI and docs/retention.md
 * show this table. Business records are never swept: conversions (but test ones), ledger entries,
 * report roll-ups, cap counters, and the configuration (parties, offers, endpoints, subscriptions,
 * keys, settings).
 */

export const DAY_MS = 24 * 3600 * 1000;

/**
 * Margin added to an offer's attribution window before its clicks may go: a postback found the
 * click at the edge and the workflow reads it again moments later (activities/screen.ts), so a
 * click is never deleted while it could still be converting, whatever the clocks say.
 */
export const ATTRIBUTION_MARGIN_DAYS = 1;
/** Margin added to the reversal window before an approved conversion counts as closed (its workflow has ended). */
export const REVERSAL_MARGIN_DAYS = 1;

/** The defaults of the RETENTION_* variables (config/index.ts declares them with these). */
export const retentionDefaults = {
  RETENTION_CLICKS_DAYS: '90',
  RETENTION_DELIVERIES_DAYS: '365',
  RETENTION_DELIVERY_ATTEMPTS_DAYS: '180',
  RETENTION_AUDIT_DAYS: 'off',
  RETENTION_TEST_DATA_DAYS: '30',
  RETENTION_SCHEDULE: '1h',
  RETENTION_BATCH_SIZE: 2000,
} as const;

export type RetentionRuleName =
  | 'clicks'
  | 'test_clicks'
  | 'test_conversions'
  | 'deliveries'
  | 'test_deliveries'
  | 'delivery_attempts'
  | 'test_delivery_attempts'
  | 'ingress_log'
  | 'events'
  | 'subscription_deliveries'
  | 'subscription_attempts'
  | 'subscription_claims'
  | 'audit_entries'
  | 'mmp_event_log'
  | 'click_fingerprints'
  | 'sessions'
  | 'portal_links'
  | 'test_postback_counters';

export interface RetentionRule {
  rule: RetentionRuleName;
  /** The MongoDB collection it deletes from. */
  collection: string;
  /** The field whose age decides. */
  age: string;
  /**
   * `days`: rows older than the variable's days go (`null` days: kept forever); `expiry`: each row
   * carries its own expiry, set when it was written (MongoDB's TTL index drops it too; the embedded
   * store has none, so the sweep does).
   */
  kind: 'days' | 'expiry';
  /** The variable that sets its days, and which entry of RetentionDays carries them. */
  variable?: string;
  days?: keyof RetentionDays;
  /** What is kept whatever its age. */
  guard?: string;
}

/** Every rule, in the order the sweep applies them (a delivery before its attempts: a gone delivery's attempts may go). */
export const retentionRules: readonly RetentionRule[] = [
  {
    rule: 'clicks',
    collection: 'clicks',
    age: 'created_at',
    kind: 'days',
    variable: 'RETENTION_CLICKS_DAYS',
    days: 'clicks',
    guard:
      `a click younger than its offer's attribution window + ${ATTRIBUTION_MARGIN_DAYS} d (it may still convert); ` +
      'a click an open conversion names (processing, pending, held, or approved within the reversal window: ' +
      'a later status postback names the click); every click while reports still read raw rows (roll-ups not built)',
  },
  {
    rule: 'test_clicks',
    collection: 'clicks',
    age: 'created_at',
    kind: 'days',
    variable: 'RETENTION_TEST_DATA_DAYS',
    days: 'testData',
    guard: 'as for clicks',
  },
  {
    rule: 'test_conversions',
    collection: 'conversions',
    age: 'received_at',
    kind: 'days',
    variable: 'RETENTION_TEST_DATA_DAYS',
    days: 'testData',
    guard: 'an open test conversion (its workflow may still write it); real conversions are never deleted',
  },
  {
    rule: 'deliveries',
    collection: 'deliveries',
    age: 'updated_at',
    kind: 'days',
    variable: 'RETENTION_DELIVERIES_DAYS',
    days: 'deliveries',
    guard: 'a delivery that has not ended (pending, delivering: still being sent or retried)',
  },
  {
    rule: 'test_deliveries',
    collection: 'deliveries',
    age: 'updated_at',
    kind: 'days',
    variable: 'RETENTION_TEST_DATA_DAYS',
    days: 'testData',
    guard: 'as for deliveries',
  },
  {
    rule: 'delivery_attempts',
    collection: 'delivery_attempts',
    age: 'at',
    kind: 'days',
    variable: 'RETENTION_DELIVERY_ATTEMPTS_DAYS',
    days: 'deliveryAttempts',
    guard: 'every attempt row of a delivery that has not ended',
  },
  {
    rule: 'test_delivery_attempts',
    collection: 'delivery_attempts',
    age: 'at',
    kind: 'days',
    variable: 'RETENTION_TEST_DATA_DAYS',
    days: 'testData',
    guard: 'as for delivery_attempts',
  },
  {
    rule: 'ingress_log',
    collection: 'ingress_log',
    age: 'at (or its expires_at)',
    kind: 'days',
    variable: 'INGRESS_LOG_RETENTION_DAYS',
    days: 'ingressLog',
  },
  { rule: 'events', collection: 'events', age: 'occurred_at', kind: 'days', variable: 'EVENTS_RETENTION_DAYS', days: 'events' },
  {
    rule: 'subscription_deliveries',
    collection: 'subscription_deliveries',
    age: 'updated_at',
    kind: 'days',
    variable: 'EVENTS_RETENTION_DAYS',
    days: 'events',
    guard: 'a subscription delivery that has not ended',
  },
  {
    rule: 'subscription_attempts',
    collection: 'subscription_attempts',
    age: 'at',
    kind: 'days',
    variable: 'EVENTS_RETENTION_DAYS',
    days: 'events',
  },
  {
    rule: 'subscription_claims',
    collection: 'subscription_claims',
    age: 'claimed_at',
    kind: 'days',
    variable: 'EVENTS_RETENTION_DAYS',
    days: 'events',
  },
  { rule: 'audit_entries', collection: 'audit_entries', age: 'at', kind: 'days', variable: 'RETENTION_AUDIT_DAYS', days: 'audit' },
  { rule: 'mmp_event_log', collection: 'mmp_event_log', age: 'expires_at (received_at + 90 d)', kind: 'expiry' },
  { rule: 'click_fingerprints', collection: 'click_fingerprints', age: 'until', kind: 'expiry' },
  { rule: 'sessions', collection: 'sessions', age: 'expires_at', kind: 'expiry' },
  { rule: 'portal_links', collection: 'portal_links', age: 'expires_at', kind: 'expiry' },
  { rule: 'test_postback_counters', collection: 'test_postback_counters', age: 'expires_at', kind: 'expiry' },
];

/** "90" → 90, "0.5" → 0.5; "0" or "off" → null (kept forever). At most ten years. */
export function parseRetentionDays(spec: string): number | null {
  const value = spec.trim().toLowerCase();
  if (value === 'off' || value === '0') return null;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`expected a number of days such as 90, or 0/off, got ${JSON.stringify(spec)}`);
  const days = Number(value);
  if (days === 0) return null;
  if (days > 3650) throw new Error(`at most 3650 days, got ${days}`);
  return days;
}

/** When the sweep runs: every so often, on a cron expression (UTC), or never by itself (the schedule is paused). */
export type RetentionSchedule = { kind: 'interval'; everyMs: number } | { kind: 'cron'; expression: string } | { kind: 'off' };

const INTERVAL = /^(\d+)(m|h|d)$/;
const INTERVAL_UNIT_MS = { m: 60_000, h: 3_600_000, d: DAY_MS } as const;
const CRON_MACROS = ['@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually'];
const CRON_FIELD = /^[0-9A-Za-z*?,/-]+$/;

/**
 * RETENTION_SCHEDULE: an interval (`30m`, `1h`, `1d`: at least a minute), a cron expression of five
 * fields (`15 * * * *`, in UTC) or a macro (`@daily`), or `off`.
 */
export function parseRetentionSchedule(spec: string): RetentionSchedule {
  const value = spec.trim();
  if (value.toLowerCase() === 'off') return { kind: 'off' };
  const interval = INTERVAL.exec(value);
  if (interval) {
    const everyMs = Number(interval[1]) * INTERVAL_UNIT_MS[interval[2] as keyof typeof INTERVAL_UNIT_MS];
    if (everyMs < 60_000 || everyMs > 366 * DAY_MS) throw new Error(`an interval from 1m to 366d, got ${JSON.stringify(spec)}`);
    return { kind: 'interval', everyMs };
  }
  if (CRON_MACROS.includes(value.toLowerCase())) return { kind: 'cron', expression: value.toLowerCase() };
  const fields = value.split(/\s+/);
  if (fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))) return { kind: 'cron', expression: fields.join(' ') };
  throw new Error(
    `expected an interval such as 1h or 30m, a cron expression such as "15 * * * *", @daily, or off; got ${JSON.stringify(spec)}`,
  );
}

/** The instant before which a rule's rows go; null when its days are null (kept forever). */
export function cutoffOf(now: Date, days: number | null): Date | null {
  return days === null ? null : new Date(now.getTime() - days * DAY_MS);
}

/** The days a rule applies under `days`; `expiry` rules apply their rows' own expiry (0: cutoff now). */
export function ruleDays(rule: RetentionRule, days: RetentionDays): number | null {
  return rule.kind === 'expiry' ? 0 : days[rule.days!];
}

/** Statuses in which a conversion's workflow is always still open (all but approved and the final ones). */
export const alwaysOpenStatuses = lifecycleStatuses.filter((s) => !isFinal(s) && s !== 'approved');

/**
 * The conversions whose workflow may still be open: processing, pending or held, or approved
 * less than the reversal window (+ margin) ago (its workflow waits for a reversal; `updated_at`
 * is when its status last changed). Rejected, declined and reversed are final; an approved one
 * older than that has closed, and a later change goes through applyLateStatusChange.
 */
export function openConversionFilter(now: Date, reversalWindowDays: number): Record<string, unknown> {
  const approvedSince = new Date(now.getTime() - (reversalWindowDays + REVERSAL_MARGIN_DAYS) * DAY_MS);
  return { $or: [{ status: { $in: alwaysOpenStatuses } }, { status: 'approved', updated_at: { $gte: approvedSince } }] };
}

/** The conversions openConversionFilter leaves out: final, or approved and closed since (their workflow has ended). */
export function closedConversionFilter(now: Date, reversalWindowDays: number): Record<string, unknown> {
  const approvedSince = new Date(now.getTime() - (reversalWindowDays + REVERSAL_MARGIN_DAYS) * DAY_MS);
  return { $or: [{ status: { $nin: [...alwaysOpenStatuses, 'approved'] } }, { status: 'approved', updated_at: { $lt: approvedSince } }] };
}

/** An offer's attribution window, as the click rule needs it. */
export interface OfferWindow {
  _id: string;
  attribution_window_hours: number;
}

/**
 * Which clicks are old enough to go, as a MongoDB filter on `created_at` and `offer_id` (the rule
 * in one line: a click goes once it is older than max(retention, its offer's attribution window +
 * ATTRIBUTION_MARGIN_DAYS)); null when clicks are kept forever. Offers whose window is longer than
 * the retention are grouped by window, so the filter stays small whatever the number of offers.
 * A click of an offer that no longer exists (or never did: trafficback) gets the plain retention.
 * The sweep adds the other guard: no click an open conversion names.
 */
export function clickAgeFilter(now: Date, days: number | null, offers: readonly OfferWindow[]): Record<string, unknown> | null {
  const base = cutoffOf(now, days);
  if (!base || days === null) return null;
  const longer = new Map<number, string[]>();
  for (const offer of offers) {
    const keepDays = offer.attribution_window_hours / 24 + ATTRIBUTION_MARGIN_DAYS;
    if (keepDays <= days) continue;
    const ids = longer.get(keepDays) ?? [];
    ids.push(offer._id);
    longer.set(keepDays, ids);
  }
  if (longer.size === 0) return { created_at: { $lt: base } };
  const groups = [...longer.entries()].sort(([a], [b]) => a - b);
  return {
    created_at: { $lt: base },
    $or: [
      { offer_id: { $nin: groups.flatMap(([, ids]) => ids) } },
      ...groups.map(([keepDays, ids]) => ({ offer_id: { $in: ids }, created_at: { $lt: cutoffOf(now, keepDays)! } })),
    ],
  };
}
