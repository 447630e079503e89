import type { paths } from '../../api/schema';
import { browserZone, isDate, isZone, midnightIn, nextDay } from './time-zone';

export type ListQuery = NonNullable<paths['/api/conversions']['get']['parameters']['query']>;
type Status = NonNullable<ListQuery['status']>;
type DeliveryState = NonNullable<ListQuery['delivery_state']>;

/** Every value the API accepts, for the pickers; the check below fails to compile when the API gains one. */
export const statuses = ['processing', 'approved', 'pending', 'held', 'rejected', 'declined', 'reversed'] as const satisfies Status[];
export const deliveryStates = ['pending', 'delivering', 'succeeded', 'failed', 'dead_lettered'] as const satisfies DeliveryState[];
type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : never;
const listsAreComplete: [Exhaustive<Status, (typeof statuses)[number]>, Exhaustive<DeliveryState, (typeof deliveryStates)[number]>] = [
  true,
  true,
];
void listsAreComplete;

/**
 * The screen's state, all of it in the URL (Temporal UI #2602: a filter that lives only in
 * memory is lost on reload or back). `from`/`to` are days (inclusive) in `tz`.
 */
export interface SearchState {
  q: string;
  status: string;
  offer_id: string;
  affiliate_id: string;
  advertiser_id: string;
  goal: string;
  reason_code: string;
  delivery_state: string;
  from: string;
  to: string;
  tz: string;
  /** Keyset position of this page; empty on the first. */
  cursor: string;
  /** The page's number, for the reader only (a cursor carries no position). */
  page: number;
}

const filterKeys = [
  'q',
  'status',
  'offer_id',
  'affiliate_id',
  'advertiser_id',
  'goal',
  'reason_code',
  'delivery_state',
  'from',
  'to',
] as const satisfies (keyof SearchState)[];
export type FilterKey = (typeof filterKeys)[number];

export function fromUrl(query: Record<string, string>): SearchState {
  const s = (key: string) => (query[key] ?? '').trim();
  const page = Number(query.page);
  return {
    ...(Object.fromEntries(filterKeys.map((k) => [k, s(k)])) as Record<FilterKey, string>),
    tz: s('tz') || browserZone(),
    cursor: s('cursor'),
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The URL of a state: empty fields are left out, so a shared link is as short as its filters. */
export function toUrl(state: SearchState): string {
  const params = new URLSearchParams();
  for (const key of filterKeys) if (state[key]) params.set(key, state[key]);
  if (state.from || state.to || state.tz !== browserZone()) params.set('tz', state.tz);
  if (state.cursor) {
    params.set('cursor', state.cursor);
    params.set('page', String(state.page));
  }
  const qs = params.toString();
  return `/ui/conversions${qs ? `?${qs}` : ''}`;
}

export const hasFilters = (state: SearchState): boolean => filterKeys.some((k) => state[k] !== '');

/** Problems the browser can see before asking the API (the API checks the rest and names the field). */
export function localErrors(state: SearchState): Partial<Record<FilterKey | 'tz', string>> {
  const errors: Partial<Record<FilterKey | 'tz', string>> = {};
  if (!isZone(state.tz)) errors.tz = 'must be a time zone such as Europe/Berlin or UTC';
  if (state.from && !isDate(state.from)) errors.from = 'must be a date such as 2026-11-25';
  if (state.to && !isDate(state.to)) errors.to = 'must be a date such as 2026-11-25';
  if (!errors.from && !errors.to && state.from && state.to && state.to < state.from) errors.to = 'must not be before the "from" day';
  return errors;
}

/** The filters as the API takes them: days become instants at local midnight in the zone, "to" inclusive. */
export function apiFilters(state: SearchState): ListQuery {
  const out: ListQuery = {};
  for (const key of filterKeys) if (state[key] && key !== 'from' && key !== 'to') (out as Record<string, string>)[key] = state[key];
  if (isZone(state.tz)) {
    if (isDate(state.from)) out.from = midnightIn(state.from, state.tz);
    if (isDate(state.to)) out.to = midnightIn(nextDay(state.to), state.tz);
  }
  return out;
}

/** The same filters as a query string, for the CSV export link. */
export function exportHref(state: SearchState): string {
  const params = new URLSearchParams(apiFilters(state) as Record<string, string>);
  const qs = params.toString();
  return `/api/conversions/export.csv${qs ? `?${qs}` : ''}`;
}
