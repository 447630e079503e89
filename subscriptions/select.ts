import { hiddenFields } from '../api/access/projection';
import { selectsType } from './event-types';
import { selectFields } from './fields';
import { matchesFilter, type Filter } from './filter';

/** What selection needs of an event: its envelope and who it is about (stored beside it, not in `data`). */
export interface SelectableEvent {
  id: string;
  type: string;
  occurred_at: string;
  schema_version: number;
  data: Record<string, unknown>;
  affiliate_id?: string;
}

/** What selection needs of a subscription. */
export interface SelectingSubscription {
  event_types: readonly string[];
  filter?: Filter | null;
  fields?: readonly string[] | null;
  /** The scope: set, only this affiliate's conversions. */
  affiliate_id?: string | null;
}

/** The group a scoped subscription is confined to, whatever its stored patterns say. */
export const SCOPED_GROUP = 'conversion.';

/** The body a subscription is sent for an event: the envelope with `data` projected and selected. */
export interface SelectedEvent {
  id: string;
  type: string;
  occurred_at: string;
  schema_version: number;
  data: Record<string, unknown>;
}

/**
 * Whether a subscription gets an event, and what of it. Pure, so the dispatcher and the tests
 * decide alike. The scope is checked first and from the event's stored subject, never from the
 * filter: an affiliate's subscription gets only events about its own conversions (an event with
 * no affiliate is nobody's), and what it gets is projected as every answer to that affiliate is
 * (no revenue, margin, advertiser or IP), before its own field selection.
 */
export function selectEvent(
  subscription: SelectingSubscription,
  event: SelectableEvent,
  optIn?: ReadonlySet<string>,
): SelectedEvent | undefined {
  const scope = subscription.affiliate_id;
  if (scope && (event.affiliate_id !== scope || !event.type.startsWith(SCOPED_GROUP))) return undefined;
  if (!selectsType(subscription.event_types, event.type, optIn)) return undefined;
  const data = scope ? withoutHidden(event.data, hiddenFields.affiliate) : event.data;
  if (subscription.filter && !matchesFilter(subscription.filter, data)) return undefined;
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurred_at,
    schema_version: event.schema_version,
    data: selectFields(data, subscription.fields ?? undefined),
  };
}

function withoutHidden(data: Record<string, unknown>, hidden: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !hidden.has(key)));
}
