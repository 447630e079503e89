import type { AttemptOutcome, DeliverySteps } from '../../workflows/contract';
import type { PendingActivity } from './conversion-entries';
import type { HistoryStep } from './history-steps';
import { recorded, workflowInput, workflowResult, type ActivityStep, type RecordedStep } from './recorded';
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

const attemptTitle = (n: number, r: AttemptOutcome): string => {
  const answer = r.outcome === 'paused' ? 'no answer' : r.statusCode !== undefined ? `HTTP ${r.statusCode}` : (r.error ?? 'no answer');
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

type EntryDraft = Omit<TimelineEntry, 'source' | 'workflow_id'>;

/** What the run has told so far, for the steps after. */
interface RunState {
  run: number;
  delivery: DeliveryFacts;
  pending: PendingActivity[];
  /** finishDelivery's reason, shown with the run's result. */
  reason?: string;
  /** The last attempt's outcome: what the wait after it is for. */
  lastOutcome?: AttemptOutcome;
}

type StepView<N extends keyof DeliverySteps> = (step: RecordedStep<N>, activity: ActivityStep, state: RunState) => EntryDraft[];

/**
 * How each step of the delivery workflow reads in the timeline. Keyed by the step contract, so a
 * step renamed, added or given another result is a type error here until the timeline follows.
 */
const deliveryStepViews: { [N in keyof DeliverySteps]: StepView<N> } = {
  beginDelivery: () => [],

  attemptDelivery: ({ input, result }, step, state) => {
    const n = input?.attempt ?? 0;
    const row = state.delivery.attempts.find((a) => a.run === state.run && a.attempt === n);
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
    if (step.state === 'completed' && result) {
      state.lastOutcome = result;
      return [
        {
          at: iso(step.startedAt ?? step.scheduledAt),
          duration_ms: step.closedAt !== undefined ? step.closedAt - (step.startedAt ?? step.scheduledAt) : null,
          kind: 'delivery_attempt',
          title: attemptTitle(n, result),
          outcome: result.outcome === 'success' ? 'ok' : result.outcome === 'paused' ? 'waiting' : 'failed',
          attempt: n,
          detail: { outcome: result.outcome, ...detail },
        },
      ];
    }
    if (step.state === 'scheduled') {
      const p = state.pending.find((a) => a.name === step.name);
      return [
        {
          at: iso(step.scheduledAt),
          duration_ms: null,
          kind: 'delivery_attempt',
          title:
            `attempt ${n} in flight` +
            `${p && p.attempt > 1 ? ` (worker retry ${p.attempt}${p.lastFailure ? `: ${p.lastFailure}` : ''})` : ''}`,
          outcome: 'waiting',
          attempt: n,
          detail,
        },
      ];
    }
    return [
      {
        at: iso(step.scheduledAt),
        duration_ms: null,
        kind: 'delivery_attempt',
        title: `attempt ${n}: ${step.state.replace('_', ' ')}${step.failure ? `, ${step.failure.message}` : ''}`,
        outcome: 'failed',
        attempt: n,
        detail: { ...detail, failure: step.failure },
      },
    ];
  },

  finishDelivery: ({ input, result }, _step, state) => {
    state.reason = (result ?? input)?.reason;
    return [];
  },
};

const isDeliveryStep = (name: string): name is keyof DeliverySteps => Object.hasOwn(deliveryStepViews, name);

function view<N extends keyof DeliverySteps>(name: N, step: ActivityStep, state: RunState): EntryDraft[] {
  const typed = recorded(step, name);
  return typed ? deliveryStepViews[name](typed, step, state) : [];
}

/** A wait between attempts: the pause an endpoint asked for, or the schedule's delay before the next attempt. */
function waitTitle(ms: number, after: AttemptOutcome | undefined, waiting: boolean): string {
  const now = waiting ? ' (now)' : '';
  if (after?.outcome === 'paused') return `endpoint paused: waiting ${ms} ms before trying again${now}`;
  return `waiting ${ms} ms before the next attempt${now}`;
}

/**
 * One run of a delivery workflow (deliverPostback) as timeline entries: the run starting, each
 * wait, each attempt with the receiver's answer, and how the run ended.
 */
export function deliveryEntries(
  steps: HistoryStep[],
  ctx: { workflowId: string; delivery: DeliveryFacts; pending: PendingActivity[] },
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const push = (e: EntryDraft) => entries.push({ source: 'delivery', workflow_id: ctx.workflowId, ...e });
  const { delivery } = ctx;
  const state: RunState = { run: 0, delivery, pending: ctx.pending };

  for (const step of steps) {
    if (step.type === 'started') {
      state.run = workflowInput(step, 'deliverPostback')?.run ?? 0;
      const run = state.run;
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
        title: waitTitle(step.durationMs, state.lastOutcome, step.state === 'waiting'),
        outcome: step.state === 'waiting' ? 'waiting' : 'info',
        detail: { timer_ms: step.durationMs },
      });
    } else if (step.type === 'activity' && isDeliveryStep(step.name)) {
      for (const e of view(step.name, step, state)) push(e);
    } else if (step.type === 'closed') {
      const result = workflowResult(step, 'deliverPostback');
      const reason = state.reason;
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
        detail: { ...(result ?? {}), run: state.run, ...(reason ? { reason } : {}) },
      });
    }
  }
  return entries;
}
