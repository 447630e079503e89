import type { Model } from 'mongoose';
import { postbackMacros, renderPostbackBody, renderPostbackUrl, type MacroValues } from '../domain/postback-macros';
import type { Models } from '../models';

/**
 * The two kinds of delivery the delivery workflow runs (workflows/delivery.ts): an affiliate's
 * postback to one of its endpoints, and an event to a subscription (README "Subscriptions"). The
 * schedule, attempt rows, breaker, dead letter and redelivery are the same; what differs is here:
 * where the rows live, whom the request goes to and how it is rendered. The kind is in the id.
 */
export type DeliveryKind = 'postback' | 'subscription';

/** Subscription deliveries' ids start so (activities/subscription-dispatch.ts); postback deliveries' with dl_. */
export const SUBSCRIPTION_DELIVERY_PREFIX = 'sd_';
export const deliveryKind = (deliveryId: string): DeliveryKind =>
  deliveryId.startsWith(SUBSCRIPTION_DELIVERY_PREFIX) ? 'subscription' : 'postback';

/** Sent on every attempt of a test conversion's postback, beside the `{is_test}` macro (README "Test postbacks"). */
export const TEST_HEADER = 'x-postflow-test';

/** Every macro of the default POST body, for endpoints that give no template of their own. */
export const defaultPostBody = JSON.stringify(Object.fromEntries(postbackMacros.map((m) => [m, `{${m}}`])));

/** The fields both kinds of delivery row share (models/delivery.ts, models/subscription-delivery.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- two models with different documents, used through their common fields
type RowModel = Model<any>;

export interface DeliveryRows {
  kind: DeliveryKind;
  deliveries: RowModel;
  attempts: RowModel;
  /** Endpoints or subscriptions: what the breaker counts on. */
  targets: RowModel;
}

/** Where one delivery's rows and its target live. */
export function deliveryRows(models: Models, deliveryId: string): DeliveryRows {
  return deliveryKind(deliveryId) === 'subscription'
    ? { kind: 'subscription', deliveries: models.SubscriptionDelivery, attempts: models.SubscriptionAttempt, targets: models.Subscription }
    : { kind: 'postback', deliveries: models.Delivery, attempts: models.DeliveryAttempt, targets: models.PostbackEndpoint };
}

/** What an attempt needs of a target, whichever kind: state for the gates, secrets for the signature. */
export interface Target {
  _id: string;
  active: boolean;
  deactivated_reason?: string | null;
  paused?: boolean | null;
  paused_until?: Date | null;
  affiliate_id?: string | null;
  offer_id?: string | null;
  signing_secret?: string | null;
  previous_signing_secret?: string | null;
  previous_signing_secret_expires_at?: Date | null;
}

export interface Rendered {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  /** Beyond user-agent and the signature. */
  headers: Record<string, string>;
}

export interface LoadedDelivery {
  kind: DeliveryKind;
  /** webhook-id: what the receiver dedupes on, the same on every attempt and run. */
  eventId: string;
  targetId: string;
  conversionId: string;
  test: boolean;
  /** null when the target is gone. */
  target: Target | null;
  /** The method before rendering, for the row of an attempt that was not sent. */
  method: 'GET' | 'POST';
  render(): Rendered;
}

/** Reads a delivery and its target; undefined when the delivery is gone. */
export async function loadDelivery(models: Models, deliveryId: string): Promise<LoadedDelivery | undefined> {
  if (deliveryKind(deliveryId) === 'subscription') {
    const doc = await models.SubscriptionDelivery.findById(deliveryId).lean();
    if (!doc) return undefined;
    const sub = await models.Subscription.findById(doc.subscription_id).lean();
    const data = (doc.body as { data?: { conversion_id?: unknown } }).data;
    return {
      kind: 'subscription',
      eventId: doc.event_id,
      targetId: doc.subscription_id,
      conversionId: typeof data?.conversion_id === 'string' ? data.conversion_id : '',
      test: false,
      target: sub as Target | null,
      method: 'POST',
      render: () => ({
        url: sub!.url,
        method: 'POST',
        // The body the claim selected, byte for byte the same on every attempt (the signature covers it).
        body: JSON.stringify(doc.body),
        headers: { ...((sub!.headers as Record<string, string> | undefined) ?? {}), 'content-type': 'application/json' },
      }),
    };
  }
  const doc = await models.Delivery.findById(deliveryId).lean();
  if (!doc) return undefined;
  const endpoint = await models.PostbackEndpoint.findById(doc.endpoint_id).lean();
  const method = (endpoint?.method ?? 'GET') as 'GET' | 'POST';
  return {
    kind: 'postback',
    eventId: doc.event_id,
    targetId: doc.endpoint_id,
    conversionId: doc.conversion_id,
    test: doc.test === true,
    target: endpoint as Target | null,
    method,
    render: () => {
      // Deliveries planned before the macro existed were of real conversions.
      const values: MacroValues = { ...(doc.values as MacroValues), is_test: doc.test ? '1' : '0' };
      const body = method === 'POST' ? renderPostbackBody(endpoint!.body ?? defaultPostBody, values) : undefined;
      return {
        url: renderPostbackUrl(endpoint!.url, values),
        method,
        body,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(doc.test ? { [TEST_HEADER]: '1' } : {}),
        },
      };
    },
  };
}
