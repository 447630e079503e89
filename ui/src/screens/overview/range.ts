import type { paths } from '../../api/schema';

/**
 * The overview's range and zone as they live in the URL (?last=24h&tz=… or ?from=…&to=…&tz=…),
 * so a reload or a shared link shows the same thing, and as they are asked of the API.
 */
export const presets = [
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: '365d', label: 'Last 365 days' },
] as const;
export const DEFAULT_LAST = '24h';

export interface OverviewRange {
  /** A preset, or 'custom' with from and to (local dates, both included). */
  last: string;
  from: string;
  to: string;
  tz: string;
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone the browser knows, with UTC and the browser's own (an alias may be missing from the list). */
export function zoneChoices(current: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  zones.add(browserZone());
  zones.add(current);
  return [...zones].sort();
}

export function rangeFromQuery(query: Record<string, string | undefined>): OverviewRange {
  const custom = query.from !== undefined || query.to !== undefined;
  return {
    last: custom ? 'custom' : (query.last ?? DEFAULT_LAST),
    from: query.from ?? '',
    to: query.to ?? '',
    tz: query.tz ?? browserZone(),
  };
}

export function rangeToQuery(range: OverviewRange): string {
  const q = new URLSearchParams();
  if (range.last === 'custom') {
    q.set('from', range.from);
    q.set('to', range.to);
  } else q.set('last', range.last);
  q.set('tz', range.tz);
  return q.toString();
}

/** The day after a YYYY-MM-DD date: the API's `to` is exclusive, the form's last day is included. */
export function dayAfter(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date; // the API names what is wrong with it
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)).toISOString().slice(0, 10);
}

type Query = NonNullable<paths['/api/overview']['get']['parameters']['query']>;

/** The API's query for a range; a zone the API does not know is sent as is, and its 400 names the field. */
export function apiQuery(range: OverviewRange): Query {
  const timezone = range.tz as Query['timezone'];
  return range.last === 'custom'
    ? { from: range.from, to: range.to === '' ? '' : dayAfter(range.to), timezone }
    : { last: range.last, timezone };
}
