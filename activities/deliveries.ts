import { classifyResponse, honoursRetryAfter } from '../domain/delivery-outcome';
import { renderPostbackBody, renderPostbackUrl, type MacroValues } from '../domain/postback-macros';
import { feedBreaker } from './endpoint-breaker';
import { parseRetryAfter } from '../domain/retry-schedule';
import type { ActivityDeps, DeliverySettings } from './deps';
import { maskUrl } from './http/mask-url';
import { createSender, type Sender } from './http/send';
import { signStandardWebhook } from './http/signature';

export type AttemptOutcome =
  | { outcome: 'paused'; waitMs: number }
  | { outcome: 'success' | 'retry' | 'permanent' | 'gone' | 'inactive'; statusCode?: number; retryAfterMs?: number; error?: string };

/** Every macro of the default POST body, for endpoints that give no template of their own. */
export const defaultPostBody = JSON.stringify(
  Object.fromEntries(['event_id', 'conversion_id', 'click_id', 'offer_id', 'aff_id', 'goal', 'status', 'payout', 'currency', 'txid', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'timestamp'].map((m) => [m, `{${m}}`])),
);

/** Running one delivery: begin a run, attempt, finish. Planning is in delivery-plan.ts. */
export function deliveryActivities({ models, now, delivery }: ActivityDeps) {
  const settings = (): DeliverySettings => {
    if (!delivery) throw new Error('delivery settings are missing: the worker must pass them to createActivities');
    return delivery;
  };
  let sender: Sender | undefined;
  const send: Sender = (req) => (sender ??= createSender(settings().allowedNetworks))(req);

  return {
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
      await feedBreaker(models, { endpointId: endpoint._id, outcome, at, threshold: pauseAfterFailures, pauseMs });
      return { outcome, statusCode: result.statusCode, retryAfterMs, error: result.error };
    },

    async finishDelivery(input: { deliveryId: string; status: 'succeeded' | 'failed' | 'dead_lettered'; reason?: string }): Promise<void> {
      await models.Delivery.updateOne(
        { _id: input.deliveryId },
        { $set: { status: input.status, status_reason: input.reason, next_attempt_at: null, ...(input.status === 'succeeded' ? { delivered_at: now() } : {}) } },
      );
    },
  };
}
