import { periodStarts, trafficbackReasonField, type ReportSpec } from './report';
import type { LifecycleStatus } from './status';

/**
 * Report roll-ups, as pure code: what a click, a new conversion or a booked transition adds to
 * the buckets, and which parts of the buckets make up a report's window. The I/O lives in rollups/.
 *
 * A bucket is one document per (UTC month, offer, affiliate, goal, currency) holding the month's
 * totals (`t`), each UTC day's (`d.<DD>`), each 3-hour block's (`b.<HH>.<DD>`) and each hour's
 * (`h.<HH>.<DD>`; hour first, so one hour of every day is one projection). A step adds to all three in one single-document
 * update; a report reads a few thousand documents, whatever the number of rows behind them:
 * - whole months from `t`, whole days from `d`;
 * - grouped by day in a zone that is not UTC, each UTC day is cut by one local midnight at a
 *   whole hour: the day's total goes to one local day, minus the hours on the far side of
 *   midnight, which go to the other (as 3-hour blocks and hours: 1 cell each way for
 *   Europe/Berlin, 3 for Asia/Tokyo);
 * - the hours of a window's first and last day, when the window does not start or end at midnight.
 * Zones whose midnights are not on a whole UTC hour (Asia/Kolkata +05:30, Asia/Kathmandu +05:45)
 * and windows with minutes are not cut from hours: the report reads the raw rows for them.
 */

/** What a bucket counts. Absent fields are zero. */
export interface RollupFigures {
  /** Clicks sent to their offer. */
  clicks: number;
  /** Clicks not sent to their offer (trafficback), never in `clicks`; each also counts in its reason's field. */
  trafficback: number;
  /** Trafficback clicks per reason: `trafficback_cap_reached`… (trafficbackReasonField). Flat, as every count of a part is. */
  [reason: `trafficback_${string}`]: number;
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

const two = (n: number) => String(n).padStart(2, '0');

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
export const utcMonth = (at: Date): string => at.toISOString().slice(0, 7);

/** JSON of the key's parts: no id can forge a separator and merge two buckets. */
export function bucketId(month: string, key: RollupKey): string {
  return JSON.stringify([month, key.offer_id, key.affiliate_id, key.goal, key.currency]);
}

export interface BucketUpdate {
  _id: string;
  /** Set when the bucket is created. */
  fields: RollupKey & { month: string };
  /** Dotted paths to add to. */
  inc: Record<string, number>;
}

/** The writes that apply `deltas`: one per bucket touched, deltas for the same bucket merged. */
export function bucketUpdates(deltas: RollupDelta[]): BucketUpdate[] {
  const updates = new Map<string, BucketUpdate>();
  for (const { at, key, counts } of deltas) {
    const iso = at.toISOString();
    const month = iso.slice(0, 7);
    const id = bucketId(month, key);
    let update = updates.get(id);
    // A delta that nets to nothing still creates its bucket, as its fact still makes a report row.
    if (!update) updates.set(id, (update = { _id: id, fields: { ...key, month }, inc: {} }));
    const day = iso.slice(8, 10);
    const hour = iso.slice(11, 13);
    const paths = ['t', `d.${day}`, `b.${two(Number(hour) - (Number(hour) % 3))}.${day}`, `h.${hour}.${day}`];
    for (const [field, n] of Object.entries(counts)) {
      if (n === 0 || n === undefined) continue;
      if (!Number.isSafeInteger(n)) throw new Error(`roll-up count ${field} must be an integer, got ${n}`);
      for (const path of paths) update.inc[`${path}.${field}`] = (update.inc[`${path}.${field}`] ?? 0) + n;
    }
  }
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

/**
 * One stored click, in the bucket of the offer and affiliate it names. A trafficback click (not
 * sent to that offer) counts as trafficback and in its reason, never as a click: the offer's
 * conversion rate and EPC are those of the clicks it received. A fallback offer's child click
 * is an ordinary click of that offer.
 */
export function clicked(at: Date, offerId: string, affiliateId: string, trafficback?: { reason: string } | null): RollupDelta {
  const counts: RollupCounts = trafficback ? { trafficback: 1, [trafficbackReasonField(trafficback.reason)]: 1 } : { clicks: 1 };
  return { at, key: { offer_id: offerId, affiliate_id: affiliateId, goal: null, currency: null }, counts };
}

/**
 * One part of a bucket to add (sign 1) or take away (sign -1), counted in the report at `at`:
 * an instant of the local day (and window) the part belongs to.
 */
export type RollupPart = { sign: 1 | -1; at: Date } & (
  | { path: 't' }
  | { path: 'd'; day: string }
  /** `b`: the 3-hour block starting at `hour`. */
  | { path: 'h' | 'b'; day: string; hour: string }
);

/** The parts of the buckets of each month that make up a report's window exactly. */
export type RollupPlan = Map<string, RollupPart[]>;

const HOUR_MS = 3_600_000;

/**
 * The parts that sum to spec's window, or null when the window cannot be cut from whole UTC
 * hours: a bound with minutes, or (grouped by day) a zone whose local midnight is not on a whole
 * UTC hour. Grouped by day, every part is counted in the local day its facts belong to, or is
 * a day total with the hours of the neighbouring local day taken away, so every row sums exactly.
 */
export function planRollupRead(spec: ReportSpec): RollupPlan | null {
  const from = spec.from.getTime();
  const to = spec.to.getTime();
  if (from % HOUR_MS !== 0 || to % HOUR_MS !== 0) return null;
  const cuts: number[] = [];
  if (spec.groupBy.includes('day')) {
    // Local midnights (or, for the overview's hourly series, every local hour): a minute period never falls on whole hours.
    const period = spec.period ?? 'day';
    if (period === 'minute') return null;
    for (const { start } of periodStarts(spec)) {
      if (start <= from) continue;
      if (start % HOUR_MS !== 0) return null;
      cuts.push(start);
    }
  }
  const plan: RollupPlan = new Map();
  const add = (month: string, part: RollupPart) => {
    const parts = plan.get(month) ?? [];
    if (parts.length === 0) plan.set(month, parts);
    parts.push(part);
  };
  const cutsIn = (start: number, end: number) => cuts.filter((c) => c > start && c < end);
  for (let t = from; t < to;) {
    const at = new Date(t);
    const month = utcMonth(at);
    const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
    const dayEnd = dayStart + 24 * HOUR_MS;
    const monthEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    if (t === dayStart && at.getUTCDate() === 1 && monthEnd <= to && cutsIn(t, monthEnd).length === 0) {
      add(month, { path: 't', sign: 1, at });
      t = monthEnd;
      continue;
    }
    // This UTC day's hours in the window, split at local midnights into the local days they count in.
    const end = Math.min(dayEnd, to);
    const bounds = [t, ...cutsIn(t, end), end];
    const segments = bounds.slice(1).map((e, i): [number, number] => [bounds[i]!, e]);
    const largest = segments.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a));
    const others = segments.filter((seg) => seg !== largest);
    const day = two(at.getUTCDate());
    // [a, b) of this day as 3-hour blocks where they fit, else hours.
    const cells = (a: number, b: number, sign: 1 | -1, counted: Date, write = true) => {
      let n = 0;
      for (let h = a; h < b; n++) {
        const hour = new Date(h).getUTCHours();
        const block = hour % 3 === 0 && h + 3 * HOUR_MS <= b;
        if (write) add(month, { path: block ? 'b' : 'h', day, hour: two(hour), sign, at: counted });
        h += block ? 3 * HOUR_MS : HOUR_MS;
      }
      return n;
    };
    // Each part is counted at its segment's start, so a reader can sum a bucket's parts per instant first.
    const alone = segments.reduce((n, [a, b]) => n + cells(a, b, 1, at, false), 0);
    const withTotal =
      1 + cells(dayStart, largest[0], -1, at, false) + cells(largest[1], dayEnd, -1, at, false) + (alone - cells(...largest, 1, at, false));
    if (withTotal < alone) {
      // The day's total, less the hours outside the largest segment, plus the other segments' hours.
      const carrier = new Date(largest[0]);
      add(month, { path: 'd', day, sign: 1, at: carrier });
      cells(dayStart, largest[0], -1, carrier);
      cells(largest[1], dayEnd, -1, carrier);
      for (const [a, b] of others) cells(a, b, 1, new Date(a));
    } else {
      for (const [a, b] of segments) cells(a, b, 1, new Date(a));
    }
    t = end;
  }
  return plan;
}
