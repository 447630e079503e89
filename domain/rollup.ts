import { DateTime } from 'luxon';
import type { ReportSpec } from './report';
import type { LifecycleStatus } from './status';

/**
 * Report roll-ups, as pure code: what a click, a new conversion or a booked transition adds to
 * the buckets, and which buckets tile a report's window. The I/O lives in rollups/.
 *
 * A bucket is keyed by (offer, affiliate, goal, currency) and a UTC span. Two levels are kept:
 * - a **day** document per UTC day with the day's totals (`t`) and its hours (`h.00`…`h.23`), so
 *   any report whose cuts (from, to, local midnights) fall on whole UTC hours can be answered;
 * - a **month** document per UTC month with the month's totals, so a year is 12 reads per key,
 *   not 365.
 * Zones whose midnights are not on a whole UTC hour (Asia/Kolkata +05:30, Asia/Kathmandu +05:45)
 * and windows with minutes are not tiled: the report reads the raw rows for them.
 */

/** What a bucket counts. Absent fields are zero. */
export interface RollupFigures {
  clicks: number;
  total: number;
  approved: number;
  pending: number;
  held: number;
  declined: number;
  reversed: number;
  rejected: number;
  processing: number;
  payout_minor: number;
  revenue_minor: number;
  /** Ledger entries booked: a bucket with entries is a report row even when its money nets to zero. */
  entries: number;
}
export type RollupCounts = Partial<RollupFigures>;

export interface RollupKey {
  offer_id: string;
  affiliate_id: string;
  /** null for clicks (they have no goal) and for money whose conversion is unknown. */
  goal: string | null;
  /** null for clicks and for conversions stored without one: the report takes the offer's currency then. */
  currency: string | null;
}

/** Something that happened at `at` and moves the buckets of `key` by `counts`. */
export interface RollupDelta {
  at: Date;
  key: RollupKey;
  counts: RollupCounts;
}

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
export const utcMonth = (at: Date): string => at.toISOString().slice(0, 7);
export const utcHour = (at: Date): string => at.toISOString().slice(11, 13);

/** JSON of the key's parts: no id can forge a separator and merge two buckets. */
export function bucketId(span: string, key: RollupKey): string {
  return JSON.stringify([span, key.offer_id, key.affiliate_id, key.goal, key.currency]);
}

export interface BucketUpdate {
  level: 'day' | 'month';
  _id: string;
  /** Set when the bucket is created. */
  fields: RollupKey & ({ day: string } | { month: string });
  /** Dotted paths to add to. */
  inc: Record<string, number>;
}

/** The writes that apply `deltas`: one per bucket touched, deltas for the same bucket merged. */
export function bucketUpdates(deltas: RollupDelta[]): BucketUpdate[] {
  const updates = new Map<string, BucketUpdate>();
  const add = (level: BucketUpdate['level'], span: string, key: RollupKey, paths: string[], counts: RollupCounts) => {
    const id = `${level}:${bucketId(span, key)}`;
    let update = updates.get(id);
    if (!update) {
      const fields = level === 'day' ? { ...key, day: span } : { ...key, month: span };
      updates.set(id, (update = { level, _id: bucketId(span, key), fields, inc: {} }));
    }
    for (const [field, n] of Object.entries(counts)) {
      if (n === 0 || n === undefined) continue;
      if (!Number.isSafeInteger(n)) throw new Error(`roll-up count ${field} must be an integer, got ${n}`);
      for (const path of paths) update.inc[`${path}.${field}`] = (update.inc[`${path}.${field}`] ?? 0) + n;
    }
  };
  for (const { at, key, counts } of deltas) {
    add('day', utcDay(at), key, ['t', `h.${utcHour(at)}`], counts);
    add('month', utcMonth(at), key, ['t'], counts);
  }
  // A delta that nets to nothing still creates its bucket (a report row exists for it), so keep empty ones.
  return [...updates.values()];
}

/** A conversion entering the reports: counted once, at its received_at, as processing. */
export function conversionCreated(at: Date, key: RollupKey): RollupDelta {
  return { at, key, counts: { total: 1, processing: 1 } };
}

/** A conversion changing status: it moves between status counts in the bucket of its received_at. */
export function statusMoved(receivedAt: Date, key: RollupKey, from: LifecycleStatus, to: LifecycleStatus): RollupDelta {
  return { at: receivedAt, key, counts: from === to ? {} : { [from]: -1, [to]: 1 } };
}

/** One ledger entry, in the bucket of its own created_at. */
export function ledgerBooked(entry: { created_at: Date; account: string; amount_minor: number; key: RollupKey }): RollupDelta {
  const field = entry.account === 'affiliate_payable' ? 'payout_minor' : entry.account === 'advertiser_receivable' ? 'revenue_minor' : null;
  if (field === null) throw new Error(`ledger entry with unknown account ${JSON.stringify(entry.account)}`);
  return { at: entry.created_at, key: entry.key, counts: { [field]: entry.amount_minor, entries: 1 } };
}

export function clicked(at: Date, offerId: string, affiliateId: string): RollupDelta {
  return { at, key: { offer_id: offerId, affiliate_id: affiliateId, goal: null, currency: null }, counts: { clicks: 1 } };
}

/** The buckets that cover a report's window exactly: whole months, whole days, and hours of the rest. */
export interface RollupPlan {
  months: string[];
  days: string[];
  /** UTC day → its hours ("00"…"23") inside the window. */
  hours: Map<string, string[]>;
}

const HOUR_MS = 3_600_000;

/**
 * The tiling of spec's window by buckets, or null when the window cannot be cut from whole UTC
 * hours: a bound with minutes, or (grouped by day) a zone whose local midnight is not on a whole
 * UTC hour. A bucket is used only if it lies inside the window and, grouped by day, inside one
 * local day, so summing buckets gives every row exactly.
 */
export function planRollupRead(spec: ReportSpec): RollupPlan | null {
  const from = spec.from.getTime();
  const to = spec.to.getTime();
  if (from % HOUR_MS !== 0 || to % HOUR_MS !== 0) return null;
  const cuts: number[] = [];
  if (spec.groupBy.includes('day')) {
    let day = DateTime.fromMillis(from, { zone: spec.timezone }).startOf('day').plus({ days: 1 }).startOf('day');
    while (day.toMillis() < to) {
      if (day.toMillis() % HOUR_MS !== 0) return null;
      cuts.push(day.toMillis());
      day = day.plus({ days: 1 }).startOf('day');
    }
  }
  let next = 0; // first cut after the current position
  const usable = (start: number, end: number) => {
    if (end > to) return false;
    while (next < cuts.length && cuts[next]! <= start) next += 1;
    return next >= cuts.length || cuts[next]! >= end;
  };
  const plan: RollupPlan = { months: [], days: [], hours: new Map() };
  for (let t = from; t < to;) {
    const at = new Date(t);
    const dayEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
    const monthEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    const dayStart = at.getUTCHours() === 0;
    if (dayStart && at.getUTCDate() === 1 && usable(t, monthEnd)) {
      plan.months.push(utcMonth(at));
      t = monthEnd;
    } else if (dayStart && usable(t, dayEnd)) {
      plan.days.push(utcDay(at));
      t = dayEnd;
    } else {
      const day = utcDay(at);
      const hours = plan.hours.get(day) ?? [];
      if (hours.length === 0) plan.hours.set(day, hours);
      hours.push(utcHour(at));
      t += HOUR_MS;
    }
  }
  return plan;
}
