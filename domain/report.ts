import Big from 'big.js';
import { DateTime, IANAZone } from 'luxon';
import { currencyExponent } from './money';
import type { RollupCounts } from './rollup';

/**
 * The performance report, as pure code: the API streams clicks, conversions and ledger entries
 * of a window into `createReport` and answers with its `result()`. Nothing here reads a
 * database, so every rule below is unit-tested without servers.
 *
 * Semantics (the README repeats them for users):
 * - The window is [from, to). Days are cut at local midnights of the report's IANA zone.
 * - Money is accrual by booking time: payout and revenue are the sums of the ledger entries
 *   (affiliate_payable, advertiser_receivable) whose created_at falls in the window, on the day
 *   they were booked. A reversal booked on a later day is negative on that day. Summed over any
 *   window, the report therefore equals the ledger, to the minor unit.
 * - Conversions are counted by received_at, under their current status.
 * - Clicks are counted by created_at, in their offer's currency (a click earns in the currency
 *   of the offer it was for). Clicks have no goal, so a report grouped by goal shows
 *   clicks, conversion_rate and epc as null on its rows; the per-currency totals still have them.
 * - A trafficback click (not sent to the offer it asked for: paused, capped, a duplicate…) counts
 *   in `trafficback` and in its reason, under the offer and affiliate it asked for, and never in
 *   `clicks`: a capped offer's conversion rate and EPC are those of the clicks it received.
 * - Amounts of different currencies are never added: currency is part of every row's key.
 */

export const reportDimensions = ['day', 'offer', 'affiliate', 'goal'] as const;
export type ReportDimension = (typeof reportDimensions)[number];

/** Status buckets of a row; `processing` is there so that total always equals the buckets' sum. */
export const reportStatuses = ['approved', 'pending', 'held', 'declined', 'reversed', 'rejected', 'processing'] as const;
type ReportStatus = (typeof reportStatuses)[number];

export const MAX_REPORT_DAYS = 366;
const DEFAULT_REPORT_DAYS = 7;

export interface ReportQueryInput {
  group_by: string;
  from?: string;
  to?: string;
  timezone: string;
}

/** How long one `day` row is: a local day (reports), or a local hour or minute (the overview's time series). */
export type ReportPeriod = 'day' | 'hour' | 'minute';

export interface ReportSpec {
  groupBy: ReportDimension[];
  /** The length of a `day` row; default `day`. Rows of a shorter period are keyed by their start as a UTC ISO instant. */
  period?: ReportPeriod;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Canonical IANA name ("europe/berlin" → "Europe/Berlin"). */
  timezone: string;
}

export interface ReportIssue {
  path: keyof ReportQueryInput;
  message: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function isReportTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** "day,offer" → ['day', 'offer'], or the reason it is not a valid grouping. */
export function parseGroupBy(value: string): { groupBy: ReportDimension[] } | { error: string } {
  const parts = value.split(',').map((part) => part.trim());
  const groupBy: ReportDimension[] = [];
  for (const part of parts) {
    if (part === '') return { error: `must be a comma-separated list of ${reportDimensions.join(', ')}` };
    if (!(reportDimensions as readonly string[]).includes(part)) {
      return { error: `unknown dimension ${JSON.stringify(part)}; allowed: ${reportDimensions.join(', ')}` };
    }
    if (groupBy.includes(part as ReportDimension)) return { error: `dimension ${JSON.stringify(part)} is given twice` };
    groupBy.push(part as ReportDimension);
  }
  return { groupBy };
}

/** A date means local midnight in `zone`; a date-time without offset is local time in `zone`. */
function parseBound(value: string, zone: string): DateTime | undefined {
  const dt = DATE_ONLY.test(value) ? DateTime.fromISO(value, { zone }).startOf('day') : DateTime.fromISO(value, { zone });
  return dt.isValid ? dt : undefined;
}

/**
 * Query → window and grouping, with defaults: `to` is the end of today in the zone, `from` is
 * 7 local days before `to`. Every problem names the parameter the caller has to change.
 */
export function resolveReportQuery(q: ReportQueryInput, now: Date): { spec: ReportSpec } | { issues: ReportIssue[] } {
  const issues: ReportIssue[] = [];
  const grouping = parseGroupBy(q.group_by);
  if ('error' in grouping) issues.push({ path: 'group_by', message: grouping.error });
  if (!isReportTimeZone(q.timezone)) {
    issues.push({ path: 'timezone', message: 'must be an IANA time zone such as Europe/Berlin or UTC' });
    return { issues }; // the dates cannot be read without a zone
  }
  const timezone = new Intl.DateTimeFormat('en', { timeZone: q.timezone }).resolvedOptions().timeZone;

  const bound = (path: 'from' | 'to') => {
    const value = q[path];
    if (value === undefined) return null;
    const dt = parseBound(value, timezone);
    if (!dt)
      issues.push({
        path,
        message: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time such as 2026-11-25T00:00:00Z',
      });
    return dt;
  };
  const given = { from: bound('from'), to: bound('to') };
  if (given.from === undefined || given.to === undefined || 'error' in grouping) return { issues };

  const to = given.to ?? DateTime.fromJSDate(now, { zone: timezone }).startOf('day').plus({ days: 1 }).startOf('day');
  const from = given.from ?? to.minus({ days: DEFAULT_REPORT_DAYS }).startOf('day');
  // Name a parameter the caller sent: a defaulted one is not what they need to fix.
  const blame = given.to ? 'to' : 'from';
  if (from.toMillis() >= to.toMillis()) {
    issues.push({
      path: blame,
      message: `from must be before to (from ${from.toISO()}, to ${to.toISO()}${given.to ? '' : ', the default: end of today'})`,
    });
  } else if (to.toMillis() > from.plus({ days: MAX_REPORT_DAYS }).toMillis()) {
    issues.push({
      path: blame,
      message: `the range from ${from.toISODate()} to ${to.toISODate()} is longer than ${MAX_REPORT_DAYS} days`,
    });
  }
  if (issues.length > 0) return { issues };
  return { spec: { groupBy: grouping.groupBy, from: from.toJSDate(), to: to.toJSDate(), timezone } };
}

/**
 * The starts of the periods (local days, hours or minutes in the spec's zone) that cover the
 * window, each with its row key: a day is its local date, a shorter period its start as a UTC
 * instant (a local hour repeats when clocks go back, its instant never does).
 */
export function periodStarts(spec: Pick<ReportSpec, 'from' | 'to' | 'timezone' | 'period'>): { start: number; key: string }[] {
  const period = spec.period ?? 'day';
  const out: { start: number; key: string }[] = [];
  let at = DateTime.fromJSDate(spec.from, { zone: spec.timezone }).startOf(period);
  while (at.toMillis() < spec.to.getTime()) {
    out.push({ start: at.toMillis(), key: period === 'day' ? at.toISODate()! : at.toUTC().toISO()! });
    // From the period's start again, so a 23- or 25-hour day (or a skipped hour) stays whole.
    at = at.plus({ [`${period}s`]: 1 }).startOf(period);
  }
  return out;
}

/**
 * Period (local day by default) of an instant, by binary search over the window's period starts:
 * luxon is consulted once per period of the window, not once per row, and DST days (23 or 25
 * hours) come out right.
 */
function dayIndex(spec: ReportSpec): (at: Date) => string {
  const periods = periodStarts(spec);
  const starts = periods.map((p) => p.start);
  const keys = periods.map((p) => p.key);
  return (at) => {
    const ms = at.getTime();
    if (!(ms >= spec.from.getTime() && ms < spec.to.getTime())) {
      throw new Error(`report row at ${at.toISOString()} is outside the window [${spec.from.toISOString()}, ${spec.to.toISOString()})`);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return keys[lo]!;
  };
}

export interface ReportClick {
  created_at: Date;
  offer_id: string;
  affiliate_id: string;
  /** The offer's currency; null if the offer is unknown. */
  currency: string | null;
  /** Set on a click that was not sent to its offer: counted as trafficback, not as a click. */
  trafficback?: { reason: string } | null;
}

/** Roll-up fields of the per-reason trafficback counts: `trafficback_cap_reached`… */
const TRAFFICBACK_REASON_PREFIX = 'trafficback_';
/** A reason becomes part of a MongoDB field path: no dot, no `$`, nothing a path could misread. */
const TRAFFICBACK_REASON = /^[a-z][a-z0-9_]*$/;

/**
 * A trafficback click's reason, checked. An odd one is a bug in the click route, not data to
 * drop or to let split a bucket's paths: refused, as an unknown status is, by both the raw rows
 * and the roll-ups.
 */
export function checkedTrafficbackReason(reason: string): string {
  // A stored click is not type-checked: a missing reason must not pass as the word "undefined".
  if (typeof reason !== 'string' || !TRAFFICBACK_REASON.test(reason))
    throw new Error(`trafficback click with unknown reason ${JSON.stringify(reason)}`);
  return reason;
}

/** The roll-up field that counts a trafficback reason. */
export const trafficbackReasonField = (reason: string): `trafficback_${string}` =>
  `${TRAFFICBACK_REASON_PREFIX}${checkedTrafficbackReason(reason)}`;

export interface ReportConversion {
  received_at: Date;
  offer_id: string;
  affiliate_id: string;
  goal: string;
  status: string;
  /** The conversion's currency, else its offer's; null if neither is known. */
  currency: string | null;
}

export interface ReportLedgerEntry {
  created_at: Date;
  offer_id: string;
  affiliate_id: string;
  /** The goal of the entry's conversion; only read when grouping by goal. */
  goal?: string | null;
  account: string;
  amount_minor: number;
  currency: string;
}

export type ConversionCounts = { total: number } & Record<ReportStatus, number>;

/** Trafficback clicks per reason; only reasons counted (non-zero) are present. */
export type TrafficbackReasons = Record<string, number>;

export interface ReportFigures {
  currency: string | null;
  clicks: number | null;
  /** Clicks not sent to their offer; null where clicks are (rows grouped by goal). */
  trafficback: number | null;
  trafficback_reasons: TrafficbackReasons | null;
  conversions: ConversionCounts;
  payout: string | null;
  revenue: string | null;
  margin: string | null;
  conversion_rate: number | null;
  epc: string | null;
}

export interface ReportRow extends ReportFigures {
  day?: string;
  offer_id?: string;
  affiliate_id?: string;
  goal?: string | null;
}

export interface ReportResult {
  rows: ReportRow[];
  totals: ReportFigures[];
}

interface Accumulator {
  keys: Partial<Record<ReportDimension, string | null>>;
  currency: string | null;
  clicks: number;
  trafficback: number;
  /** A map, not an object: a reason is data, and must not meet Object.prototype's names. */
  trafficbackReasons: Map<string, number>;
  conversions: ConversionCounts;
  payoutMinor: number;
  revenueMinor: number;
  /** Facts counted from roll-ups (signed parts); undefined when only raw facts were added. */
  rollupFacts?: number;
}

const emptyCounts = (): ConversionCounts => ({
  total: 0,
  approved: 0,
  pending: 0,
  held: 0,
  declined: 0,
  reversed: 0,
  rejected: 0,
  processing: 0,
});

/** Integer addition that refuses to leave the range where JS numbers are exact. */
function addMinor(sum: number, amount: number): number {
  if (!Number.isSafeInteger(amount)) throw new Error(`ledger amount must be integer minor units, got ${amount}`);
  const next = sum + amount;
  if (!Number.isSafeInteger(next)) throw new Error('report sum exceeds the exact integer range');
  return next;
}

const RATE_DIGITS = 6;

/**
 * fromMinor's formatting with the currency's digits looked up once: the lookup builds an
 * Intl.NumberFormat (~40 µs), and a report formats four figures per row for thousands of rows.
 */
function minorFormatter(): (minor: number, currency: string) => string {
  const digits = new Map<string, number>();
  return (minor, currency) => {
    if (!Number.isSafeInteger(minor)) throw new Error(`report figure must be a safe integer of minor units, got ${minor}`);
    let exponent = digits.get(currency);
    if (exponent === undefined) digits.set(currency, (exponent = currencyExponent(currency)));
    // Dividing by a power of ten is exact in big.js, so toFixed only pads and never rounds.
    return new Big(minor).div(new Big(10).pow(exponent)).toFixed(exponent);
  };
}

function figures(acc: Accumulator, clicksKnown: boolean, format: (minor: number, currency: string) => string): ReportFigures {
  const { currency } = acc;
  const money = (minor: number) => (currency === null ? null : format(minor, currency));
  const clicks = clicksKnown ? acc.clicks : null;
  const perClick = clicks !== null && clicks > 0;
  return {
    currency,
    clicks,
    trafficback: clicksKnown ? acc.trafficback : null,
    trafficback_reasons: clicksKnown ? countedReasons(acc.trafficbackReasons) : null,
    conversions: { ...acc.conversions },
    payout: money(acc.payoutMinor),
    revenue: money(acc.revenueMinor),
    margin: money(acc.revenueMinor - acc.payoutMinor),
    conversion_rate: perClick
      ? Number(new Big(acc.conversions.total).div(clicks).round(RATE_DIGITS, Big.roundHalfUp).toFixed(RATE_DIGITS))
      : null,
    // Earnings per click: the affiliate's payout per click, rounded half-up to the currency's minor unit.
    epc: perClick && currency !== null ? money(Number(new Big(acc.payoutMinor).div(clicks).round(0, Big.roundHalfUp).toFixed(0))) : null,
  };
}

/** The reasons with a count, sorted: roll-up parts can net a reason to zero, and both paths must answer alike. */
function countedReasons(reasons: Map<string, number>): TrafficbackReasons {
  return Object.fromEntries([...reasons].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const compareKeys = (a: string | null | undefined, b: string | null | undefined): number => {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // unknown goal or currency sorts last
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
};

const rowField: Record<ReportDimension, 'day' | 'offer_id' | 'affiliate_id' | 'goal'> = {
  day: 'day',
  offer: 'offer_id',
  affiliate: 'affiliate_id',
  goal: 'goal',
};

const addReason = (acc: Accumulator, reason: string, n: number) =>
  acc.trafficbackReasons.set(reason, (acc.trafficbackReasons.get(reason) ?? 0) + n);

/** One raw click: a click, or (with a reason) a trafficback click and its reason. */
function countRawClick(acc: Accumulator, reason: string | null): void {
  if (reason === null) acc.clicks += 1;
  else {
    acc.trafficback += 1;
    addReason(acc, reason, 1);
  }
}

/** A roll-up part's clicks, trafficback and per-reason counts (`trafficback_<reason>` fields). */
function addClickCounts(acc: Accumulator, counts: RollupCounts, sign: 1 | -1): void {
  acc.clicks += sign * (counts.clicks ?? 0);
  acc.trafficback += sign * (counts.trafficback ?? 0);
  for (const [field, n] of Object.entries(counts)) {
    if (field.startsWith(TRAFFICBACK_REASON_PREFIX) && n !== undefined)
      addReason(acc, field.slice(TRAFFICBACK_REASON_PREFIX.length), sign * n);
  }
}

/** Accumulates one report; feed it rows in any order, then call result() once. */
export function createReport(spec: ReportSpec) {
  const dayOf = dayIndex(spec);
  const byGoal = spec.groupBy.includes('goal');
  const rows = new Map<string, Accumulator>();
  const totals = new Map<string | null, Accumulator>();

  const newAcc = (keys: Accumulator['keys'], currency: string | null): Accumulator => ({
    keys,
    currency,
    clicks: 0,
    trafficback: 0,
    trafficbackReasons: new Map(),
    conversions: emptyCounts(),
    payoutMinor: 0,
    revenueMinor: 0,
  });

  function rowFor(fact: { offer_id: string; affiliate_id: string; goal?: string | null }, at: Date, currency: string | null): Accumulator {
    const day = dayOf(at);
    const keys: Accumulator['keys'] = {};
    for (const dim of spec.groupBy) {
      keys[dim] = dim === 'day' ? day : dim === 'offer' ? fact.offer_id : dim === 'affiliate' ? fact.affiliate_id : (fact.goal ?? null);
    }
    // JSON of the keys in group_by order: no id or goal can forge a separator and merge two rows.
    const id = JSON.stringify([...spec.groupBy.map((dim) => keys[dim]), currency]);
    let acc = rows.get(id);
    if (!acc) rows.set(id, (acc = newAcc(keys, currency)));
    return acc;
  }

  function totalFor(currency: string | null): Accumulator {
    let acc = totals.get(currency);
    if (!acc) totals.set(currency, (acc = newAcc({}, currency)));
    return acc;
  }

  return {
    addClick(click: ReportClick): void {
      const reason = click.trafficback ? checkedTrafficbackReason(click.trafficback.reason) : null;
      // A click has no goal: it belongs to no goal row, and is not spread over them either.
      if (byGoal)
        dayOf(click.created_at); // still refuses a click outside the window
      else countRawClick(rowFor(click, click.created_at, click.currency), reason);
      countRawClick(totalFor(click.currency), reason);
    },

    addConversion(conversion: ReportConversion): void {
      const status = (reportStatuses as readonly string[]).includes(conversion.status) ? (conversion.status as ReportStatus) : undefined;
      if (status === undefined) throw new Error(`conversion with unknown status ${JSON.stringify(conversion.status)}`);
      for (const acc of [rowFor(conversion, conversion.received_at, conversion.currency), totalFor(conversion.currency)]) {
        acc.conversions.total += 1;
        acc.conversions[status] += 1;
      }
    },

    addLedgerEntry(entry: ReportLedgerEntry): void {
      const field =
        entry.account === 'affiliate_payable' ? 'payoutMinor' : entry.account === 'advertiser_receivable' ? 'revenueMinor' : undefined;
      if (field === undefined) throw new Error(`ledger entry with unknown account ${JSON.stringify(entry.account)}`);
      for (const acc of [rowFor(entry, entry.created_at, entry.currency), totalFor(entry.currency)]) {
        acc[field] = addMinor(acc[field], entry.amount_minor);
      }
    },

    /**
     * A part of a roll-up bucket (domain/rollup.ts), counted in the row of the local day of `at`,
     * added (sign 1) or taken away (-1). It makes the rows the raw facts it counts would: a row
     * exists where clicks (not grouped by goal), conversions or ledger entries are counted, and a
     * row whose parts net to no fact at all is left out, as no raw fact would have made it.
     */
    addRollup(
      fact: { offer_id: string; affiliate_id: string; goal: string | null; currency: string | null },
      at: Date,
      counts: RollupCounts,
      sign: 1 | -1 = 1,
    ): void {
      const row = rowFor(fact, at, fact.currency);
      const total = totalFor(fact.currency);
      // Trafficback clicks are clicks for a row's existence, and are counted apart from them.
      const clicks = sign * ((counts.clicks ?? 0) + (counts.trafficback ?? 0));
      const facts = sign * ((counts.total ?? 0) + (counts.entries ?? 0));
      if (!byGoal) addClickCounts(row, counts, sign);
      row.rollupFacts = (row.rollupFacts ?? 0) + facts + (byGoal ? 0 : clicks);
      addClickCounts(total, counts, sign);
      total.rollupFacts = (total.rollupFacts ?? 0) + facts + clicks;
      for (const acc of [row, total]) {
        acc.conversions.total += sign * (counts.total ?? 0);
        for (const status of reportStatuses) acc.conversions[status] += sign * (counts[status] ?? 0);
        acc.payoutMinor = addMinor(acc.payoutMinor, sign * (counts.payout_minor ?? 0));
        acc.revenueMinor = addMinor(acc.revenueMinor, sign * (counts.revenue_minor ?? 0));
      }
    },

    result(): ReportResult {
      const format = minorFormatter();
      const counted = (acc: Accumulator) => acc.rollupFacts === undefined || acc.rollupFacts !== 0;
      const sorted = [...rows.values()].filter(counted).sort((a, b) => {
        for (const dim of spec.groupBy) {
          const c = compareKeys(a.keys[dim], b.keys[dim]);
          if (c !== 0) return c;
        }
        return compareKeys(a.currency, b.currency);
      });
      return {
        rows: sorted.map((acc) => {
          const keys: Partial<Record<(typeof rowField)[ReportDimension], string | null>> = {};
          for (const dim of spec.groupBy) keys[rowField[dim]] = acc.keys[dim] ?? null;
          return { ...keys, ...figures(acc, !byGoal, format) } as ReportRow;
        }),
        totals: [...totals.values()]
          .filter(counted)
          .sort((a, b) => compareKeys(a.currency, b.currency))
          .map((acc) => figures(acc, true, format)),
      };
    },
  };
}

export type Report = ReturnType<typeof createReport>;
