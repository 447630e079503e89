import { isSecretField } from '../domain/secret-names';

/** A stored document → what the API answers for it. */
export type Serializer = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * Mongo documents → API JSON by allow-list: only the named fields go out (`_id` as `id`, dates as
 * ISO strings), so a field added to a model, a secret or an internal counter, stays in until a
 * response names it. Naming a secret field (domain/secret-names.ts) throws when this module loads.
 */
export function serializer(...fields: string[]): Serializer {
  const secret = fields.filter(isSecretField);
  if (secret.length > 0) throw new Error(`a response may not carry the secret field(s) ${secret.join(', ')}`);
  const allowed = new Set(fields);
  return (doc) => {
    const out: Record<string, unknown> = { id: doc._id };
    for (const [key, value] of Object.entries(doc)) if (allowed.has(key)) out[key] = normalise(value);
    return out;
  };
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

const timestamps = ['created_at', 'updated_at'];

/** Conversions, deliveries and attempts always say whether they are a test's (stored only when true). */
const withTestFlag =
  (toApi: Serializer): Serializer =>
  (doc) => ({ ...toApi(doc), test: doc.test === true });

export const advertiserToApi = serializer('name', 'ip_allowlist', 'active', 'rotated_at', 'rotation_overlap_ends_at', ...timestamps);
export const affiliateToApi = serializer('name', 'active', ...timestamps);
const offerFieldsToApi = serializer(
  'advertiser_id',
  'name',
  'url',
  'currency',
  'attribution_window_hours',
  'default_goal',
  'goals',
  'caps',
  'fraud',
  'affiliate_overrides',
  'partner_reason_detail',
  'advertiser_can_review',
  'active',
  'trafficback',
  'expires_at',
  'duplicate_click_seconds',
  'blocked_click_subs',
  ...timestamps,
);
/** A click; `test` always said, like a conversion's. */
export const clickToApi: Serializer = (doc) => ({
  subs: {},
  test: doc.test === true,
  ...serializer(
    'offer_id',
    'affiliate_id',
    'advertiser_id',
    'subs',
    'ip',
    'user_agent',
    'created_at',
    'trafficback',
    'parent_click_id',
    'trafficback_hops',
  )(doc),
});
/** Offers saved before trafficback existed have no settings: they read as "no target of their own". */
export const offerToApi: Serializer = (doc) => ({ trafficback: { affiliates: [] }, ...offerFieldsToApi(doc) });
/** Whether it signs is added by the route (`signing_secret_set`); the secret itself never goes out. */
export const postbackEndpointToApi = serializer(
  'affiliate_id',
  'url',
  'method',
  'events',
  'offer_id',
  'goal',
  'body',
  'active',
  'deactivated_reason',
  'consecutive_failures',
  'paused_until',
  'paused_at',
  ...timestamps,
);

const deliveryFields = [
  'event_id',
  'event',
  'conversion_id',
  'affiliate_id',
  'endpoint_id',
  'offer_id',
  'status',
  'status_reason',
  'run',
  'attempt_count',
  'last_status_code',
  'last_error',
  'next_attempt_at',
  'delivered_at',
  'occurred_at',
  ...timestamps,
];
export const deliveryToApi = withTestFlag(serializer(...deliveryFields, 'values'));
/** A conversion's deliveries leave out the macro values: the conversion itself carries them. */
export const conversionDeliveryToApi = withTestFlag(serializer(...deliveryFields));
export const deliveryAttemptToApi = withTestFlag(
  serializer(
    'delivery_id',
    'event_id',
    'endpoint_id',
    'run',
    'attempt',
    'method',
    'request_url',
    'request_headers',
    'request_body',
    'outcome',
    'status_code',
    'duration_ms',
    'response_excerpt',
    'error',
    'at',
    'next_attempt_at',
  ),
);
/** The stored conversion; api/routes/conversions.ts turns minor units into decimals. */
export const conversionDocToApi = withTestFlag(
  serializer(
    'status',
    'reason_codes',
    'click_id',
    'offer_id',
    'affiliate_id',
    'advertiser_id',
    'workflow_id',
    'goal',
    'txid',
    'amount',
    'currency',
    'payout_minor',
    'revenue_minor',
    'subs',
    'ip',
    'fraud',
    'status_history',
    'cap_reservations',
    'received_at',
    'updated_at',
  ),
);
