import { DateTime, IANAZone } from 'luxon';
import { type Cap, type CapPeriod } from './offer';

export interface CapWindow {
  /** Names the window; part of the cap counter's id, so it must never change shape. */
  key: string;
  /** ISO 8601 UTC instant, inclusive; null for `total`. */
  start: string | null;
  /** ISO 8601 UTC instant, exclusive; null for `total`. */
  end: string | null;
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const canonicalZones = new Map<string, string>();

/**
 * Zone lookup is case-insensitive ("europe/berlin" works), so the key uses the canonical
 * spelling: otherwise one window could have two counters and a cap would allow twice its limit.
 */
function canonicalZone(zone: string): string {
  let canonical = canonicalZones.get(zone);
  if (canonical === undefined) {
    if (!isValidTimeZone(zone)) throw new Error(`invalid time zone ${JSON.stringify(zone)}: expected an IANA zone such as "Europe/Berlin"`);
    canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    // Building a DateTimeFormat is slow and caps are checked per conversion; the zones in use are few.
    if (canonicalZones.size < 1000) canonicalZones.set(zone, canonical);
  }
  return canonical;
}

function isoUtc(dt: DateTime): string {
  const iso = dt.toUTC().toISO();
  if (iso === null) throw new Error(`cannot format window bound: ${dt.invalidExplanation ?? 'invalid date'}`);
  return iso;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const plural = { day: 'days', week: 'weeks', month: 'months' } as const;

/** The cap window of `period` that contains `at`, cut at local midnights of `timezone` (default UTC). */
export function capWindow(period: CapPeriod, timezone: string | undefined, at: Date): CapWindow {
  if (period === 'total') return { key: 'total', start: null, end: null };
  const zone = canonicalZone(timezone ?? 'UTC');
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) throw new Error(`invalid instant for cap window in ${zone}: ${dt.invalidExplanation ?? String(at)}`);

  let key: string;
  switch (period) {
    case 'day':
      key = `day:${dt.toFormat('yyyy-MM-dd')}`;
      break;
    case 'week': // luxon's startOf('week') is the ISO week (Monday), matching weekYear/weekNumber.
      key = `week:${dt.weekYear}-W${pad2(dt.weekNumber)}`;
      break;
    case 'month':
      key = `month:${dt.toFormat('yyyy-MM')}`;
      break;
    default:
      throw new Error(`unknown cap period ${JSON.stringify(period satisfies never)}`);
  }
  const start = dt.startOf(period);
  // End = start of the next window, computed the same way, so adjacent windows never overlap
  // or leave a gap, even across DST changes (a local day may be 23 or 25 hours long).
  const end = start.plus({ [plural[period]]: 1 }).startOf(period);
  return { key: `${key}@${zone}`, start: isoUtc(start), end: isoUtc(end) };
}

/**
 * Id of the counter document for one cap window (and affiliate, for per-affiliate caps).
 * JSON array encoding so no id or key can forge a delimiter and share another cap's counter.
 */
export function capCounterId(args: { offerId: string; capId: string; windowKey: string; affiliateId?: string }): string {
  const parts = ['cap', args.offerId, args.capId, args.windowKey];
  if (args.affiliateId !== undefined) parts.push(args.affiliateId);
  return JSON.stringify(parts);
}

/** Caps that count a conversion of `goal`; a cap without a goal counts every goal. */
export function capsFor(caps: Cap[], goal: string): Cap[] {
  return caps.filter((cap) => cap.goal === undefined || cap.goal === goal);
}
