import { createHash } from 'node:crypto';
import { classifyResponse, honoursRetryAfter } from '../domain/delivery-outcome';
import { fromMinor } from '../domain/money';
import { renderPostbackBody, renderPostbackUrl, type MacroValues } from '../domain/postback-macros';
import { parseRetryAfter } from '../domain/retry-schedule';
import type { ActivityDeps, DeliverySettings } from './deps';
import { maskUrl } from './http/mask-url';
import { createSender, type Sender } from './http/send';
import { signStandardWebhook } from './http/signature';

const digest = (...parts: Array<string | number>) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);

export interface PlannedDelivery {
  deliveryId: string;
  endpointId: string;
}

export type AttemptOutcome =
  | { outcome: 'paused'; waitMs: number }
  | { outcome: 'success' | 'retry' | 'permanent' | 'gone' | 'inactive'; statusCode?: number; retryAfterMs?: number; error?: string };

/** Every macro of the default POST body, for endpoints that give no template of their own. */
export const defaultPostBody = JSON.stringify(
  Object.fromEntries(['event_id', 'conversion_id', 'click_id', 'offer_id', 'aff_id', 'goal', 'status', 'payout', 'currency', 'txid', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'timestamp'].map((m) => [m, `{${m}}`])),
);

export function deliveryActivities({ models, now, delivery }: ActivityDeps) {
  const settings = (): DeliverySettings => {
    if (!delivery) throw new Error('delivery settings are missing: the worker must pass them to createActivities');
    return delivery;
  };
  let sender: Sender | undefined;
  const send: Sender = (req) => (sender ??= createSender(settings().allowedNetworks))(req);

  return {
    /**
     * The deliveries one status event needs: the affiliate's active endpoints subscribed to the
     * event, the most specific scope winning (offer + goal, then offer, then global). Ids are
     * digests, so a retried or replayed call plans the same deliveries.
     */
    async planDeliveries(input: { conversionId: string; event: string; seq: number }): Promise<PlannedDelivery[]> {
      const conv = await models.Conversion.findById(input.conversionId).lean();
      if (!conv) return [];
      const endpoints = await models.PostbackEndpoint.find({ affiliate_id: conv.affiliate_id, active: true, events: input.event }).lean();
      const byGoal = endpoints.filter((e) => e.offer_id === conv.offer_id && e.goal === conv.goal);
      const byOffer = endpoints.filter((e) => e.offer_id === conv.offer_id && !e.goal);
      const global = endpoints.filter((e) => !e.offer_id);
      const chosen = byGoal.length > 0 ? byGoal : byOffer.length > 0 ? byOffer : global;

      const eventId = `evt_${digest(input.conversionId, input.seq, input.event)}`;
      const occurredAt = now();
      const values: MacroValues = {
        event_id: eventId,
        conversion_id: conv._id,
        click_id: conv.click_id,
        offer_id: conv.offer_id,
        aff_id: conv.affiliate_id,
        goal: conv.goal,
        status: input.event,
        payout: conv.payout_minor !== undefined && conv.payout_minor !== null && conv.currency ? fromMinor(conv.payout_minor, conv.currency) : '',
        currency: conv.currency ?? '',
        txid: conv.txid ?? '',
        ...Object.fromEntries(Object.entries(conv.subs ?? {}).filter(([, v]) => typeof v === 'string')),
        timestamp: String(Math.floor(occurredAt.getTime() / 1000)),
      };
      const planned: PlannedDelivery[] = [];
      for (const endpoint of chosen) {
        const deliveryId = `dl_${digest(eventId, endpoint._id)}`;
        await models.Delivery.updateOne(
          { _id: deliveryId },
          {
            $setOnInsert: {
              event_id: eventId,
              event: input.event,
              conversion_id: conv._id,
              affiliate_id: conv.affiliate_id,
              endpoint_id: endpoint._id,
              offer_id: conv.offer_id,
              status: 'pending',
              run: 0,
              attempt_count: 0,
              values,
              occurred_at: occurredAt,
            },
          },
          { upsert: true },
        );
        planned.push({ deliveryId, endpointId: endpoint._id });
      }
      return planned;
    },

    /** Marks the run as under way and hands the workflow this deployment's retry schedule. */
    async beginDelivery(input: { deliveryId: string; run: number }): Promise<{ scheduleMs: number[]; timeoutMs: number }> {
      await models.Delivery.updateOne({ _id: input.deliveryId }, { $set: { status: 'delivering', run: input.run, attempt_count: 0 } });
      return { scheduleMs: settings().scheduleMs, timeoutMs: settings().timeoutMs };
    },

    /** One attempt: render, sign, send, record the attempt row, feed the endpoint's breaker. */
    async attemptDelivery(input: { deliveryId: string; run: number; attempt: number; nextDelayMs?: number }): Promise<AttemptOutcome> {
      const { timeoutMs, pauseAfterFailures, pauseMs } = settings();
      const deliveryDoc = await models.Delivery.findById(input.deliveryId).lean();
      if (!deliveryDoc) return { outcome: 'inactive', error: 'delivery not found' };
      const endpoint = await models.PostbackEndpoint.findById(deliveryDoc.endpoint_id).lean();
      if (!endpoint || !endpoint.active) return { outcome: 'inactive', error: 'endpoint inactive' };
      const at = now();
      if (endpoint.paused_until && endpoint.paused_until > at) return { outcome: 'paused', waitMs: endpoint.paused_until.getTime() - at.getTime() };

      const values = deliveryDoc.values as MacroValues;
      const url = renderPostbackUrl(endpoint.url, values);
      const body = endpoint.method === 'POST' ? renderPostbackBody(endpoint.body ?? defaultPostBody, values) : undefined;
      const headers: Record<string, string> = { 'user-agent': 'postflow', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
      if (endpoint.signing_secret) {
        // Standard Webhooks: the id is constant across retries, the timestamp fresh per attempt.
        const timestamp = Math.floor(at.getTime() / 1000);
        headers['webhook-id'] = deliveryDoc.event_id;
        headers['webhook-timestamp'] = String(timestamp);
        try {
          headers['webhook-signature'] = signStandardWebhook({ secret: endpoint.signing_secret, msgId: deliveryDoc.event_id, timestamp, body: body ?? '' });
        } catch (err) {
          // A secret that cannot sign will not start working on a retry: fail, redeliverable after a fix.
          return { outcome: 'permanent', error: `cannot sign: ${(err as Error).message}` };
        }
      }
      const result = await send({ url, method: endpoint.method as 'GET' | 'POST', headers, body, timeoutMs });
      // An address the guard refuses stays refused until someone changes the endpoint or the
      // allowlist: retrying for days would only hide that.
      const outcome = result.statusCode !== undefined ? classifyResponse(result.statusCode) : result.errorCode === 'EADDRNOTALLOWED' ? 'permanent' : 'retry';
      const retryAfterMs = result.statusCode !== undefined && honoursRetryAfter(result.statusCode) ? parseRetryAfter(result.retryAfter, at) : undefined;
      const nextAttemptAt = outcome === 'retry' && input.nextDelayMs !== undefined ? new Date(at.getTime() + Math.max(input.nextDelayMs, retryAfterMs ?? 0)) : undefined;

      await models.DeliveryAttempt.updateOne(
        { _id: `${input.deliveryId}:${input.run}:${input.attempt}` },
        {
          $set: {
            delivery_id: input.deliveryId,
            event_id: deliveryDoc.event_id,
            endpoint_id: endpoint._id,
            run: input.run,
            attempt: input.attempt,
            method: endpoint.method,
            request_url: maskUrl(url),
            outcome,
            status_code: result.statusCode,
            duration_ms: result.durationMs,
            response_excerpt: result.excerpt,
            error: result.error,
            at,
            next_attempt_at: nextAttemptAt,
          },
        },
        { upsert: true },
      );
      await models.Delivery.updateOne(
        { _id: input.deliveryId },
        { $set: { attempt_count: input.attempt, last_status_code: result.statusCode, last_error: result.error, next_attempt_at: nextAttemptAt } },
      );
      await feedBreaker(endpoint._id, outcome, at, pauseAfterFailures, pauseMs);
      return { outcome, statusCode: result.statusCode, retryAfterMs, error: result.error };
    },

    async finishDelivery(input: { deliveryId: string; status: 'succeeded' | 'failed' | 'dead_lettered'; reason?: string }): Promise<void> {
      await models.Delivery.updateOne(
        { _id: input.deliveryId },
        { $set: { status: input.status, status_reason: input.reason, next_attempt_at: null, ...(input.status === 'succeeded' ? { delivered_at: now() } : {}) } },
      );
    },
  };

  /**
   * A simple per-endpoint circuit breaker: consecutive retryable failures pause the endpoint
   * (doubling up to 64× pauseMs); deliveries wait out the pause without spending attempts and
   * drain once a success closes it again. 410 Gone deactivates the endpoint.
   */
  async function feedBreaker(endpointId: string, outcome: string, at: Date, threshold: number, pauseMs: number): Promise<void> {
    if (outcome === 'success') {
      await models.PostbackEndpoint.updateOne({ _id: endpointId, $or: [{ consecutive_failures: { $gt: 0 } }, { paused_until: { $ne: null } }] }, { $set: { consecutive_failures: 0, paused_until: null } });
    } else if (outcome === 'gone') {
      await models.PostbackEndpoint.updateOne({ _id: endpointId }, { $set: { active: false, deactivated_reason: 'the endpoint answered 410 Gone' } });
    } else if (outcome === 'retry') {
      const updated = await models.PostbackEndpoint.findOneAndUpdate({ _id: endpointId }, { $inc: { consecutive_failures: 1 } }, { new: true }).lean();
      const failures = updated?.consecutive_failures ?? 0;
      if (failures >= threshold) {
        const pause = pauseMs * 2 ** Math.min(failures - threshold, 6);
        await models.PostbackEndpoint.updateOne({ _id: endpointId }, { $set: { paused_until: new Date(at.getTime() + pause) } });
      }
    }
  }
}
