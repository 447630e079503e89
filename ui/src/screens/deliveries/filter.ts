import type { Schemas } from '../../api/client';

export type ErrorClass = Schemas['DeliveryIssue']['error_class'];
export type UndeliveredStatus = 'failed' | 'dead_lettered';

/**
 * The screen's filter, read from the URL only: a reload, the back button or a shared link gives
 * the same list and the same bulk action, and nothing is ever widened by a lost filter (the
 * Temporal UI's #2602). `status` is always explicit in a bulk call.
 */
export interface DeliveryFilter {
  status: UndeliveredStatus;
  affiliate_id?: string;
  endpoint_id?: string;
  error_class?: ErrorClass;
  from?: string;
  to?: string;
}

const keys = ['affiliate_id', 'endpoint_id', 'error_class', 'from', 'to'] as const;

export function filterFromQuery(query: Record<string, string | undefined>): DeliveryFilter {
  const filter: DeliveryFilter = { status: query.status === 'failed' ? 'failed' : 'dead_lettered' };
  for (const key of keys) {
    const value = query[key]?.trim();
    if (value) (filter as unknown as Record<string, string>)[key] = value;
  }
  return filter;
}

export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** One line per part of the filter, for the bulk action's summary. */
export function describeFilter(filter: Record<string, string | undefined>): [string, string][] {
  return Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1]));
}
