import { classifyResponse, honoursRetryAfter } from '../domain/delivery-outcome';
import { feedBreaker } from './endpoint-breaker';
import { deliveryRows, loadDelivery } from './delivery-targets';
import type { RecordEvents } from '../events/record';
import { deliveryEventFields, deliveryFinishedEvents, type DeliveryForEvents } from '../events/delivery-events';
import { parseRetryAfter } from '../domain/retry-after';
import { observeDeliveryAttempt, observeDeliveryFinished } from '../observability/worker-metrics';
import { continuation, runEnding } from '../domain/delivery-run';
import type {
  AttemptInput,
  AttemptOutcome,
  BeginInput,
  DeliveryRun,
  DeliverySchedule,
  FinishInput,
  FinishRecord,
  FirstAttemptRecord,
} from '../domain/steps';
import type { DeliverySettings, StepDeps } from './deps';
import { maskUrl } from './http/mask-url';
import { createSender, type Sender } from './http/send';
import { bodyToRecord, headersToRecord } from './http/request-record';
import { signStandardWebhook } from './http/signature';

/**
 * The secrets a request is signed with at `at`: the current one first, then the one a rotation
 * replaced while its overlap lasts (Standard Webhooks: several space-separated signatures, and
 * a receiver accepts the request when any of them verifies).
 */
function signingSecrets(
  endpoint: { signing_secret?: string | null; previous_signing_secret?: string | null; previous_signing_secret_expires_at?: Date | null },
  at: Date,
): string[] {
  if (!endpoint.signing_secret) return [];
  const previous = endpoint.previous_signing_secret;
  const until = endpoint.previous_signing_secret_expires_at;
  return previous && until && until > at ? [endpoint.signing_secret, previous] : [endpoint.signing_secret];
}

// Re-exported: the API's test postbacks and the tests name them from here.
export { TEST_HEADER, defaultPostBody } from './delivery-targets';

/** Running one delivery, of either kind (activities/delivery-targets.ts): begin a run, attempt, finish. Planning is in delivery-plan.ts. */
export function deliveryActivities({ models, now, delivery, recordEvents }: StepDeps) {
  const settings = (): DeliverySettings => {
    if (!delivery) throw new Error('delivery settings are missing: the worker must pass them to createActivities');
    return delivery;
  };
  let sender: Sender | undefined;
  const send: Sender = (req) => (sender ??= createSender(settings().allowedNetworks))(req);
  /** A subscription's breaker records no endpoint.* events: those are about affiliate endpoints. */
  const noEvents: RecordEvents = async () => {};

  const steps = {
    /** Marks the run as under way and hands the workflow this deployment's retry schedule. */
    async beginDelivery(input: BeginInput): Promise<DeliverySchedule> {
      const counted = input.continued ? {} : { attempt_count: 0 };
      await deliveryRows(models, input.deliveryId).deliveries.updateOne(
        { _id: input.deliveryId },
        { $set: { status: 'delivering', run: input.run, ...counted } },
      );
      return { scheduleMs: settings().scheduleMs, timeoutMs: settings().timeoutMs };
    },

    /** One attempt: render, sign, send, record the attempt row, feed the target's breaker. */
    async attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
      const { timeoutMs, pauseAfterFailures, pauseMs } = settings();
      const rows = deliveryRows(models, input.deliveryId);
      const loaded = await loadDelivery(models, input.deliveryId);
      if (!loaded) return { outcome: 'inactive', error: 'delivery not found' };
      const { target } = loaded;
      const at = now();
      const attemptId = `${input.deliveryId}:${input.run}:${input.attempt}`;

      /** Every counted attempt is a row, whatever ended it; a retried activity rewrites its own row. */
      const record = async (row: {
        outcome: string;
        url?: string;
        headers?: Record<string, string>;
        body?: string;
        statusCode?: number;
        durationMs?: number;
        excerpt?: string;
        error?: string;
        nextAttemptAt?: Date;
      }) => {
        await rows.attempts.updateOne(
          { _id: attemptId },
          {
            $set: {
              delivery_id: input.deliveryId,
              event_id: loaded.eventId,
              endpoint_id: loaded.targetId,
              run: input.run,
              attempt: input.attempt,
              method: loaded.method,
              request_url: row.url ? maskUrl(row.url) : '(not sent)',
              ...(row.headers ? { request_headers: headersToRecord(row.headers) } : {}),
              ...(row.body !== undefined ? { request_body: bodyToRecord(row.body) } : {}),
              outcome: row.outcome,
              status_code: row.statusCode,
              duration_ms: row.durationMs,
              response_excerpt: row.excerpt,
              error: row.error,
              at,
              next_attempt_at: row.nextAttemptAt,
              ...(loaded.test ? { test: true } : {}),
            },
          },
          { upsert: true },
        );
        await rows.deliveries.updateOne(
          { _id: input.deliveryId },
          {
            $set: {
              attempt_count: input.attempt,
              last_status_code: row.statusCode,
              last_error: row.error,
              next_attempt_at: row.nextAttemptAt,
            },
            // An attempt to be retried is an outcome the live stream shows; one that ends the run shows with the run's end.
            ...(row.nextAttemptAt ? { $currentDate: { changed_at: true as const } } : {}),
          },
        );
        observeDeliveryAttempt({
          ...row,
          url: row.url && maskUrl(row.url),
          deliveryId: input.deliveryId,
          conversionId: loaded.conversionId,
          endpointId: loaded.targetId,
          run: input.run,
          attempt: input.attempt,
        });
      };

      const noun = loaded.kind === 'subscription' ? 'subscription' : 'endpoint';
      if (!target || !target.active) {
        const error = target ? `${noun} inactive${target.deactivated_reason ? `: ${target.deactivated_reason}` : ''}` : `${noun} not found`;
        await record({ outcome: 'inactive', error });
        return { outcome: 'inactive', error };
      }
      // Paused by hand: no end of its own, so the wait is only when to look again; the resume signal wakes it sooner.
      if (target.paused) return { outcome: 'paused', waitMs: pauseMs * 64, manual: true };
      if (target.paused_until && target.paused_until > at)
        return { outcome: 'paused', waitMs: target.paused_until.getTime() - at.getTime() };

      const { url, method, body, headers: own } = loaded.render();
      const headers: Record<string, string> = { 'user-agent': 'postflow', ...own };
      const secrets = signingSecrets(target, at);
      if (secrets.length > 0) {
        // Standard Webhooks: the id is constant across retries, the timestamp fresh per attempt.
        const timestamp = Math.floor(at.getTime() / 1000);
        headers['webhook-id'] = loaded.eventId;
        headers['webhook-timestamp'] = String(timestamp);
        try {
          headers['webhook-signature'] = secrets
            .map((secret) => signStandardWebhook({ secret, msgId: loaded.eventId, timestamp, body: body ?? '' }))
            .join(' ');
        } catch (err) {
          // A secret that cannot sign will not start working on a retry: fail, redeliverable after a fix.
          const error = `cannot sign: ${(err as Error).message}`;
          await record({ outcome: 'permanent', url, body, error });
          return { outcome: 'permanent', error };
        }
      }
      const result = await send({ url, method, headers, body, timeoutMs });
      // An address the guard refuses stays refused until someone changes the endpoint or the
      // allowlist: retrying for days would only hide that.
      const outcome =
        result.statusCode !== undefined
          ? classifyResponse(result.statusCode)
          : result.errorCode === 'EADDRNOTALLOWED'
            ? 'permanent'
            : 'retry';
      const retryAfterMs =
        result.statusCode !== undefined && honoursRetryAfter(result.statusCode) ? parseRetryAfter(result.retryAfter, at) : undefined;
      const nextAttemptAt =
        outcome === 'retry' && input.nextDelayMs !== undefined
          ? new Date(at.getTime() + Math.max(input.nextDelayMs, retryAfterMs ?? 0))
          : undefined;
      await record({
        outcome,
        url,
        headers,
        body,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        excerpt: result.excerpt,
        error: result.error,
        nextAttemptAt,
      });
      await feedBreaker(rows.targets, loaded.kind === 'postback' ? recordEvents : noEvents, {
        endpoint: { ...target, affiliate_id: target.affiliate_id ?? '' },
        attemptId,
        outcome,
        at,
        threshold: pauseAfterFailures,
        pauseMs,
      });
      return { outcome, statusCode: result.statusCode, retryAfterMs, error: result.error };
    },

    /** Returns its input: local activities keep none in the history, and the timeline shows the reason. */
    async finishDelivery(input: FinishInput): Promise<FinishRecord> {
      const at = now();
      const rows = deliveryRows(models, input.deliveryId);
      const finished = await rows.deliveries
        .findOneAndUpdate(
          { _id: input.deliveryId },
          {
            $set: {
              status: input.status,
              status_reason: input.reason,
              next_attempt_at: null,
              ...(input.status === 'succeeded' ? { delivered_at: at } : {}),
            },
            $currentDate: { changed_at: true }, // the live stream's order (api/live)
          },
          { new: true, projection: deliveryEventFields },
        )
        .lean<DeliveryForEvents>();
      observeDeliveryFinished(input);
      // The run's end as an event, after the write; a retried finish rewrites the same state and records the same id.
      if (finished && rows.kind === 'postback') await recordEvents(deliveryFinishedEvents(finished, input, at));
      return { status: input.status, ...(input.reason ? { reason: input.reason } : {}) };
    },

    /**
     * The common case in one step, inside the conversion workflow: begin the run, make attempt 1
     * exactly as the retry workflow would (same attempt row id, breaker, event id), and finish the
     * delivery if that attempt ended it. A retried call sends again (at least once, as a retried
     * attempt always has) and rewrites the same attempt row; the breaker counts the attempt once.
     */
    async firstDeliveryAttempt(input: DeliveryRun): Promise<FirstAttemptRecord> {
      const run = { deliveryId: input.deliveryId, run: input.run };
      const { scheduleMs } = await steps.beginDelivery(run);
      // The schedule asks to wait before attempt 1: that wait is the retry workflow's (a durable timer).
      if ((scheduleMs[0] ?? 0) > 0) return { ...run, continueFrom: continuation(undefined) };
      const attempt = await steps.attemptDelivery({ ...run, attempt: 1, nextDelayMs: scheduleMs[1] });
      const ending = runEnding(attempt, attempt.outcome === 'paused' ? 0 : 1, scheduleMs.length);
      if (!ending) return { ...run, attempt, continueFrom: continuation(attempt) };
      const finished = await steps.finishDelivery({ deliveryId: input.deliveryId, ...ending });
      return { ...run, attempt, finished: { ...finished, attempts: 1 } };
    },
  };
  return steps;
}
