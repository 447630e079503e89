import type { AttemptOutcome } from '../../activities/deliveries';
import type { DeliveryInput, DeliveryResult } from '../../workflows/delivery';
import type { PendingActivity } from './conversion-entries';
import type { HistoryStep } from './history-steps';
import { iso, type TimelineEntry } from './types';

/** The delivery as stored, and its attempt rows (request URL masked, response excerpt). */
export interface DeliveryFacts {
  id: string;
  event: string;
  endpoint_id: string;
  attempts: {
    run: number;
    attempt: number;
    method: string;
    request_url: string;
    outcome: string;
    status_code?: number;
    duration_ms?: number;
    response_excerpt?: string;
    error?: string;
  }[];
}

const attemptTitle = (n: number, r: AttemptOutcome & { statusCode?: number; error?: string }): string => {
  const answer = r.statusCode !== undefined ? `HTTP ${r.statusCode}` : (r.error ?? 'no answer');
  const meaning = {
    success: 'delivered',
    retry: 'will retry',
    permanent: 'permanent failure',
    gone: 'endpoint gone',
    inactive: 'endpoint inactive',
    paused: 'endpoint paused',
  }[r.outcome];
  return `attempt ${n}: ${answer}, ${meaning}`;
};

/**
 * One run of a delivery workflow (deliverPostback) as timeline entries: the run starting, each
 * wait, each attempt with the receiver's answer, and how the run ended.
 */
export function deliveryEntries(
  steps: HistoryStep[],
  ctx: { workflowId: string; delivery: DeliveryFacts; pending: PendingActivity[] },
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const push = (e: Omit<TimelineEntry, 'source' | 'workflow_id'>) =>
    entries.push({ source: 'delivery', workflow_id: ctx.workflowId, ...e });
  const { delivery } = ctx;
  let run = 0;
  let reason: string | undefined;

  for (const step of steps) {
    if (step.type === 'started') {
      run = (step.input[0] as DeliveryInput | undefined)?.run ?? 0;
      push({
        at: iso(step.at),
        duration_ms: null,
        kind: 'delivery_started',
        title:
          `${run === 0 ? 'delivery' : `redelivery (run ${run})`} ${delivery.id} ` +
          `of event ${delivery.event} to endpoint ${delivery.endpoint_id}`,
        outcome: 'info',
        detail: { delivery_id: delivery.id, endpoint_id: delivery.endpoint_id, event: delivery.event, run },
      });
    } else if (step.type === 'timer') {
      push({
        at: iso(step.startedAt),
        duration_ms: step.endedAt !== undefined ? step.endedAt - step.startedAt : null,
        kind: 'delivery_wait',
        title: `waiting ${step.durationMs} ms before the next attempt${step.state === 'waiting' ? ' (now)' : ''}`,
        outcome: step.state === 'waiting' ? 'waiting' : 'info',
        detail: { timer_ms: step.durationMs },
      });
    } else if (step.type === 'activity' && step.name === 'attemptDelivery') {
      const input = step.input as { attempt: number };
      const row = delivery.attempts.find((a) => a.run === run && a.attempt === input.attempt);
      const detail = row
        ? {
            method: row.method,
            request_url: row.request_url,
            status_code: row.status_code,
            response_excerpt: row.response_excerpt,
            error: row.error,
            http_duration_ms: row.duration_ms,
          }
        : {};
      if (step.state === 'completed') {
        const result = step.result as AttemptOutcome;
        push({
          at: iso(step.startedAt ?? step.scheduledAt),
          duration_ms: step.closedAt! - (step.startedAt ?? step.scheduledAt),
          kind: 'delivery_attempt',
          title: attemptTitle(input.attempt, result),
          outcome: result.outcome === 'success' ? 'ok' : result.outcome === 'paused' ? 'waiting' : 'failed',
          attempt: input.attempt,
          detail: { outcome: result.outcome, ...detail },
        });
      } else if (step.state === 'scheduled') {
        const p = ctx.pending.find((a) => a.name === 'attemptDelivery');
        push({
          at: iso(step.scheduledAt),
          duration_ms: null,
          kind: 'delivery_attempt',
          title:
            `attempt ${input.attempt} in flight` +
            `${p && p.attempt > 1 ? ` (worker retry ${p.attempt}${p.lastFailure ? `: ${p.lastFailure}` : ''})` : ''}`,
          outcome: 'waiting',
          attempt: input.attempt,
          detail,
        });
      } else {
        push({
          at: iso(step.scheduledAt),
          duration_ms: null,
          kind: 'delivery_attempt',
          title: `attempt ${input.attempt}: ${step.state.replace('_', ' ')}${step.failure ? `, ${step.failure.message}` : ''}`,
          outcome: 'failed',
          attempt: input.attempt,
          detail: { ...detail, failure: step.failure },
        });
      }
    } else if (step.type === 'activity' && step.name === 'finishDelivery') {
      reason = ((step.input ?? step.result) as { reason?: string } | undefined)?.reason;
    } else if (step.type === 'closed') {
      const result = step.result as DeliveryResult | undefined;
      const title = result
        ? {
            succeeded: `delivered after ${result.attempts} attempt(s)`,
            failed: `failed for good after ${result.attempts} attempt(s) (redeliverable)`,
            dead_lettered: `dead-lettered after ${result.attempts} attempt(s) (redeliverable)`,
          }[result.status] + (reason ? `: ${reason}` : '')
        : `delivery workflow ${step.status.replace(/_/g, ' ')}${step.failure ? `: ${step.failure.message}` : ''}`;
      push({
        at: iso(step.at),
        duration_ms: null,
        kind: 'delivery_result',
        title,
        outcome: result?.status === 'succeeded' ? 'ok' : 'failed',
        detail: { ...(result ?? {}), run, ...(reason ? { reason } : {}) },
      });
    }
  }
  return entries;
}
