import { fromMinor } from '../../domain/money';
import type { Models } from '../../models';
import type { LiveEvent } from '../schemas/live';
import {
  afterFilter,
  compareCursors,
  horizon,
  kinds,
  minCursor,
  rankOf,
  upToFilter,
  withinMillisecond,
  type Cursor,
  type LiveKind,
} from './cursor';

export interface Change {
  key: Cursor;
  event: LiveEvent;
}

export interface ChangePage {
  changes: Change[];
  /** Where the next read starts: the last change's key when a page was cut short, else `upTo`. */
  next: Cursor;
}

const conversionFields = {
  _id: 1,
  changed_at: 1,
  offer_id: 1,
  affiliate_id: 1,
  advertiser_id: 1,
  status: 1,
  reason_codes: 1,
  goal: 1,
  txid: 1,
  payout_minor: 1,
  revenue_minor: 1,
  currency: 1,
  received_at: 1,
  test: 1,
};
const deliveryFields = {
  _id: 1,
  changed_at: 1,
  offer_id: 1,
  affiliate_id: 1,
  conversion_id: 1,
  endpoint_id: 1,
  event: 1,
  status: 1,
  status_reason: 1,
  run: 1,
  attempt_count: 1,
  last_status_code: 1,
  last_error: 1,
  next_attempt_at: 1,
  test: 1,
};

type Doc = Record<string, unknown> & { _id: string; changed_at: Date };
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : undefined);
const present = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;

/** Only on a test's events: a real event keeps the shape consumers already parse. */
const testFlag = (d: Doc) => (d.test === true ? { test: true } : {});

function conversionEvent(d: Doc): LiveEvent {
  const currency = d.currency as string | undefined;
  const money = (minor: unknown) => (typeof minor === 'number' && currency ? fromMinor(minor, currency) : null);
  return {
    ...present({ txid: d.txid as string | undefined, currency }),
    kind: 'conversion',
    id: d._id,
    at: d.changed_at.toISOString(),
    offer_id: d.offer_id as string,
    affiliate_id: d.affiliate_id as string,
    advertiser_id: d.advertiser_id as string,
    status: d.status as never,
    reason_codes: (d.reason_codes as string[] | undefined) ?? [],
    goal: d.goal as string,
    payout: money(d.payout_minor),
    revenue: money(d.revenue_minor),
    received_at: iso(d.received_at)!,
    ...testFlag(d),
  };
}

function deliveryEvent(d: Doc): LiveEvent {
  return {
    ...present({
      status_reason: d.status_reason as string | undefined,
      last_status_code: d.last_status_code as number | undefined,
      last_error: d.last_error as string | undefined,
      next_attempt_at: iso(d.next_attempt_at),
    }),
    kind: 'delivery',
    id: d._id,
    at: d.changed_at.toISOString(),
    offer_id: d.offer_id as string,
    affiliate_id: d.affiliate_id as string,
    conversion_id: d.conversion_id as string,
    endpoint_id: d.endpoint_id as string,
    event: d.event as never,
    status: d.status as never,
    run: (d.run as number | undefined) ?? 0,
    attempt_count: (d.attempt_count as number | undefined) ?? 0,
    ...testFlag(d),
  };
}

const order = { changed_at: 1, _id: 1 } as const;

async function findChanges(models: Models, kind: LiveKind, filter: Record<string, unknown>, limit?: number): Promise<Change[]> {
  const cap = limit ?? 0; // 0: no limit
  const docs =
    kind === 'conversion'
      ? await models.Conversion.find(filter, conversionFields).sort(order).limit(cap).lean<Doc[]>()
      : await models.Delivery.find(filter, deliveryFields).sort(order).limit(cap).lean<Doc[]>();
  const toEvent = kind === 'conversion' ? conversionEvent : deliveryEvent;
  return docs.map((d) => ({ key: { t: d.changed_at.getTime(), rank: rankOf(kind), id: d._id }, event: toEvent(d) }));
}

/**
 * The changes with keys in (after, upTo], in key order, at most about `limit` of each kind. When a
 * kind's page is full, the merged page stops where that kind's page is known to be whole, so
 * nothing of either kind before it is skipped; `next` says where to go on.
 *
 * A full page is cut at a whole millisecond: within one millisecond the embedded store sorts by
 * its finer stamp, not by the key's id (see cursor.ts), so the page's last key does not mean every
 * smaller key of that millisecond was in it. When one millisecond fills a whole page, all of that
 * millisecond is read.
 */
export async function readChanges(models: Models, after: Cursor, upTo: Cursor, limit: number): Promise<ChangePage> {
  const read = async (kind: LiveKind): Promise<{ changes: Change[]; wholeUpTo: Cursor }> => {
    const window = { $and: [afterFilter(after, kind), upToFilter(upTo, kind)] };
    const page = await findChanges(models, kind, window, limit);
    if (page.length < limit) return { changes: page, wholeUpTo: upTo };
    const lastT = page.at(-1)!.key.t;
    if (page[0]!.key.t < lastT) return { changes: page.filter((c) => c.key.t < lastT), wholeUpTo: horizon(lastT - 1) };
    const all = await findChanges(models, kind, { $and: [window, withinMillisecond(lastT)] });
    return { changes: all, wholeUpTo: minCursor(upTo, horizon(lastT)) };
  };
  const pages = await Promise.all(kinds.map(read));
  const next = pages.reduce((n, p) => minCursor(n, p.wholeUpTo), upTo);
  const changes = pages
    .flatMap((p) => p.changes)
    .filter((c) => compareCursors(c.key, next) <= 0)
    .sort((a, b) => compareCursors(a.key, b.key));
  return { changes, next };
}

/**
 * The changes with keys in (after, upTo] that `known` does not know, in key order. The window is
 * read as keys only (cheap, however busy it was); whole documents are read just for the unknown
 * ones, which in normal operation is none. At most `limit` keys of each kind are looked at.
 */
export async function readUnknownChanges(
  models: Models,
  after: Cursor,
  upTo: Cursor,
  known: (key: Cursor) => boolean,
  limit: number,
): Promise<Change[]> {
  const read = async (kind: LiveKind): Promise<Change[]> => {
    const window = { $and: [afterFilter(after, kind), upToFilter(upTo, kind)] };
    const keyFields = { _id: 1, changed_at: 1 };
    const keys =
      kind === 'conversion'
        ? await models.Conversion.find(window, keyFields).sort(order).limit(limit).lean<Doc[]>()
        : await models.Delivery.find(window, keyFields).sort(order).limit(limit).lean<Doc[]>();
    const unknown = keys.filter((d) => !known({ t: d.changed_at.getTime(), rank: rankOf(kind), id: d._id }));
    if (unknown.length === 0) return [];
    // Still in the window: one changed again since has a newer key, which the poller reads as usual.
    const changes = await findChanges(models, kind, { $and: [window, { _id: { $in: unknown.map((d) => d._id) } }] });
    return changes.filter((c) => !known(c.key));
  };
  const pages = await Promise.all(kinds.map(read));
  return pages.flat().sort((a, b) => compareCursors(a.key, b.key));
}
