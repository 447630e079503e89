/**
 * Dates in a chosen IANA zone with the browser's own Intl (no date library in the bundle): the
 * search's day range is cut at local midnight there, and times are shown there.
 */

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const allZones = (): string[] => [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetMs(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(at / 1000) * 1000;
}

/** A real calendar day: V8 reads 2026-02-30 as March 2, so the date must survive the round trip. */
export function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/**
 * The instant local midnight of `date` (YYYY-MM-DD) is in `zone`, as ISO 8601 UTC. The offset is
 * read twice because it may differ between the UTC guess and the answer (a DST change that day).
 */
export function midnightIn(date: string, zone: string): string {
  const guess = Date.parse(`${date}T00:00:00Z`);
  let at = guess - offsetMs(zone, guess);
  at = guess - offsetMs(zone, at);
  return new Date(at).toISOString();
}

/** The day after a YYYY-MM-DD date: the exclusive end of an inclusive "to" day. */
export function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** "2026-11-25 14:03:09" in the zone; the zone itself is named once beside the times. */
export function formatIn(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(iso));
  const v = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${v('year')}-${v('month')}-${v('day')} ${v('hour')}:${v('minute')}:${v('second')}`;
}
