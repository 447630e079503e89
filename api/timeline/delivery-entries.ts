import type { AttemptOutcome, DeliveryResult, DeliverySteps } from '../../workflows/contract';
import type { HistoryStep } from './history-steps';
import { recorded, workflowInput, workflowResult, type ActivityStep, type RecordedStep } from './recorded';
import { iso, type PendingActivity, type TimelineEntry } from './types';

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
type AttemptRow = DeliveryFacts['attempts'][number];

const rowDetail = (row: AttemptRow | undefined) =>
  row
    ? {
        method: row.method,
        request_url: row.request_url,
        status_code: row.status_code,
        response_excerpt: row.response_excerpt,
        error: row.error,
        http_duration_ms: row.duration_ms,
      }
    : {};

/** A made attempt, with the receiver's answer from its attempt row. */
const attemptEntry = (n: number, result: AttemptOutcome, row: AttemptRow | undefined, at: number, duration: number | null): EntryDraft => ({
  at: iso(at),
  duration_ms: duration,
  kind: 'delivery_attempt',
  title: attemptTitle(n, result),
  outcome: result.outcome === 'success' ? 'ok' : result.outcome === 'paused' ? 'waiting' : 'failed',
  attempt: n,
  detail: { outcome: result.outcome, ...rowDetail(row) },
});

const startedTitle = (delivery: DeliveryFacts, run: number) =>
  `${run === 0 ? 'delivery' : `redelivery (run ${run})`} ${delivery.id} of event ${delivery.event} to endpoint ${delivery.endpoint_id}`;

const resultTitle = (result: Pick<DeliveryResult, 'status' | 'attempts'>, reason: string | undefined) =>
  ({
    succeeded: `delivered after ${result.attempts} attempt(s)`,
    failed: `failed for good after ${result.attempts} attempt(s) (redeliverable)`,
    dead_lettered: `dead-lettered after ${result.attempts} attempt(s) (redeliverable)`,
  })[result.status] + (reason ? `: ${reason}` : '');

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
    const detail = rowDetail(row);
    if (step.state === 'completed' && result) {
      state.lastOutcome = result;
      const at = step.startedAt ?? step.scheduledAt;
      return [attemptEntry(n, result, row, at, step.closedAt !== undefined ? step.closedAt - at : null)];
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

  // Made inside the conversion workflow, never by this one: see firstAttemptEntries.
  firstDeliveryAttempt: () => [],
};

/**
 * The first attempt made inside the conversion workflow (workflows/notify.ts), read from its
 * marker: the run starting, the attempt with the receiver's answer, and, when that attempt ended
 * the delivery, its result. Otherwise the retry workflow's own entries go on from attempt 2.
 */
export function firstAttemptEntries(
  step: RecordedStep<'firstDeliveryAttempt'>,
  activity: ActivityStep,
  deliveries: DeliveryFacts[],
): EntryDraft[] {
  const record = step.result;
  if (!record) return [];
  const delivery = deliveries.find((d) => d.id === record.deliveryId) ?? {
    id: record.deliveryId,
    event: '?',
    endpoint_id: '?',
    attempts: [],
  };
  const at = activity.startedAt ?? activity.scheduledAt;
  const entries: EntryDraft[] = [
    {
      at: iso(at),
      duration_ms: null,
      kind: 'delivery_started',
      title: `${startedTitle(delivery, record.run)}, first attempt inside the conversion workflow`,
      outcome: 'info',
      detail: { delivery_id: delivery.id, endpoint_id: delivery.endpoint_id, event: delivery.event, run: record.run },
    },
  ];
  if (record.attempt) {
    const row = delivery.attempts.find((a) => a.run === record.run && a.attempt === 1);
    entries.push(attemptEntry(1, record.attempt, row, at, null));
  }
  if (record.finished) {
    const { status, reason, attempts } = record.finished;
    entries.push({
      at: iso(at),
      duration_ms: null,
      kind: 'delivery_result',
      title: resultTitle({ status, attempts }, reason),
      outcome: status === 'succeeded' ? 'ok' : 'failed',
      detail: { status, attempts, deliveryId: delivery.id, run: record.run, ...(reason ? { reason } : {}) },
    });
  }
  return entries;
}

const isDeliveryStep = (name: string): name is keyof DeliverySteps => Object.hasOwn(deliveryStepViews, name);

function view<N extends keyof DeliverySteps>(name: N, step: ActivityStep, state: RunState): EntryDraft[] {
  const typed = recorded(step, name);
  return typed ? deliveryStepViews[name](typed, step, state) : [];
}

/** A wait between attempts: the pause an endpoint asked for, or the schedule's delay before the next attempt. */
function waitTitle(ms: number, after: AttemptOutcome | undefined, waiting: boolean): string {
  const now = waiting ? ' (now)' : '';
  if (after?.outcome === 'paused' && after.manual) return `endpoint paused by hand: waiting for it to be resumed${now}`;
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
      const input = workflowInput(step, 'deliverPostback');
      state.run = input?.run ?? 0;
      const run = state.run;
      const from = input?.continueFrom;
      // The conversion workflow made the first attempt: what the first wait here is for.
      if (from) state.lastOutcome = from.pausedMs ? { outcome: 'paused', waitMs: from.pausedMs } : { outcome: 'retry' };
      push({
        at: iso(step.at),
        duration_ms: null,
        kind: 'delivery_started',
        title:
          startedTitle(delivery, run) +
          (from ? `: retries, going on from attempt ${from.attempts + 1} (the conversion workflow made the first)` : ''),
        outcome: 'info',
        detail: {
          delivery_id: delivery.id,
          endpoint_id: delivery.endpoint_id,
          event: delivery.event,
          run,
          ...(from ? { continue_from: from } : {}),
        },
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
        ? resultTitle(result, reason)
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
