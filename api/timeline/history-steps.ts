import type { PayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
type Failure = temporal.api.failure.v1.IFailure | null | undefined;

const E = temporal.api.enums.v1.EventType;
/** The marker Temporal's core SDK records for a completed local activity. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** A failure as ops read it: the message, its type, and the innermost cause's message. */
export interface FailureSummary {
  message: string;
  type?: string;
  cause?: string;
}

/**
 * A workflow history folded into the steps it is made of: an activity is one step from
 * "scheduled" to its final event (the server writes one Started event, for the last attempt, with
 * the previous attempt's failure), a timer one step from start to fire, and so on. Workflow-task
 * bookkeeping is dropped. Timestamps are epoch milliseconds.
 */
export type HistoryStep =
  | { type: 'started'; eventId: number; at: number; workflowType: string; input: unknown[] }
  | {
      type: 'activity';
      eventId: number;
      name: string;
      /** Absent for a local activity: its marker records the result, not the arguments. */
      input?: unknown;
      local: boolean;
      scheduledAt: number;
      startedAt?: number;
      closedAt?: number;
      /** Attempt that ended the activity (or is running): > 1 means earlier attempts failed. */
      attempt: number;
      state: 'scheduled' | 'completed' | 'failed' | 'timed_out' | 'canceled';
      result?: unknown;
      failure?: FailureSummary;
      /** The failure of the attempt before `attempt`, as the server recorded it. */
      lastFailure?: FailureSummary;
    }
  | {
      type: 'timer';
      eventId: number;
      startedAt: number;
      durationMs: number;
      endedAt?: number;
      state: 'waiting' | 'fired' | 'canceled';
    }
  | {
      type: 'update';
      eventId: number;
      name: string;
      input: unknown[];
      acceptedAt: number;
      completedAt?: number;
      result?: unknown;
      failure?: FailureSummary;
    }
  | { type: 'signal'; eventId: number; name: string; input: unknown[]; at: number }
  | {
      type: 'child';
      eventId: number;
      workflowId: string;
      workflowType: string;
      initiatedAt: number;
      startedAt?: number;
      closedAt?: number;
      state: 'initiated' | 'started' | 'completed' | 'failed' | 'other';
    }
  | {
      type: 'closed';
      eventId: number;
      at: number;
      status: 'completed' | 'failed' | 'timed_out' | 'terminated' | 'canceled' | 'continued_as_new';
      result?: unknown;
      failure?: FailureSummary;
    }
  | { type: 'task_failed'; eventId: number; at: number; failure?: FailureSummary };

/** int64 fields arrive as Long objects from the client, and as numbers or strings from JSON histories. */
export const num = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function')
    return (v as { toNumber(): number }).toNumber();
  return Number(v);
};
/** A protobuf Timestamp in epoch milliseconds. */
export const tsMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  ts ? num(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0;
const at = (e: HistoryEvent): number => tsMs(e.eventTime);

export function summarizeFailure(f: Failure): FailureSummary | undefined {
  if (!f) return undefined;
  let cause = f.cause;
  while (cause?.cause) cause = cause.cause;
  return {
    message: f.message ?? '',
    ...(f.applicationFailureInfo?.type ? { type: f.applicationFailureInfo.type } : {}),
    ...(cause?.message ? { cause: cause.message } : {}),
  };
}

/** Reads a history (as `handle.fetchHistory()` returns it) into steps, in the order they began. */
export function readHistory(events: HistoryEvent[], converter: PayloadConverter): HistoryStep[] {
  const decode = (payloads: Payloads): unknown[] => (payloads?.payloads ?? []).map((p) => safeDecode(converter, p));
  const steps: HistoryStep[] = [];
  // Activities, timers, updates and children are opened by one event and closed by another that
  // refers to it by event id (or by timer / update id).
  const activities = new Map<number, Extract<HistoryStep, { type: 'activity' }>>();
  const timers = new Map<string, Extract<HistoryStep, { type: 'timer' }>>();
  const updates = new Map<number, Extract<HistoryStep, { type: 'update' }>>();
  const children = new Map<number, Extract<HistoryStep, { type: 'child' }>>();

  // When the worker picked up the workflow task now running: an update is accepted then, though the
  // server writes its Accepted event only when the task completes, after the work it led to.
  let taskStartedAt: number | undefined;

  for (const event of events) {
    const eventId = num(event.eventId);
    if (event.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED) taskStartedAt = at(event);
    switch (event.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const a = event.workflowExecutionStartedEventAttributes!;
        steps.push({
          type: 'started',
          eventId,
          at: at(event),
          workflowType: a.workflowType?.name ?? '',
          input: decode(a.input),
        });
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const a = event.activityTaskScheduledEventAttributes!;
        const step = {
          type: 'activity' as const,
          eventId,
          name: a.activityType?.name ?? '',
          input: decode(a.input)[0],
          local: false,
          scheduledAt: at(event),
          attempt: 1,
          state: 'scheduled' as const,
        };
        activities.set(eventId, step);
        steps.push(step);
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const a = event.activityTaskStartedEventAttributes!;
        const step = activities.get(num(a.scheduledEventId));
        if (step) {
          step.startedAt = at(event);
          step.attempt = a.attempt ?? 1;
          const last = summarizeFailure(a.lastFailure);
          if (last) step.lastFailure = last;
        }
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const a = event.activityTaskCompletedEventAttributes!;
        const step = activities.get(num(a.scheduledEventId));
        if (step) Object.assign(step, { state: 'completed', closedAt: at(event), result: decode(a.result)[0] });
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
        const a = event.activityTaskFailedEventAttributes!;
        const step = activities.get(num(a.scheduledEventId));
        if (step) Object.assign(step, { state: 'failed', closedAt: at(event), failure: summarizeFailure(a.failure) });
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const a = event.activityTaskTimedOutEventAttributes!;
        const step = activities.get(num(a.scheduledEventId));
        if (step) Object.assign(step, { state: 'timed_out', closedAt: at(event), failure: summarizeFailure(a.failure) });
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
        const a = event.activityTaskCanceledEventAttributes!;
        const step = activities.get(num(a.scheduledEventId));
        if (step) Object.assign(step, { state: 'canceled', closedAt: at(event) });
        break;
      }
      case E.EVENT_TYPE_TIMER_STARTED: {
        const a = event.timerStartedEventAttributes!;
        const durationMs = num(a.startToFireTimeout?.seconds) * 1000 + Math.round(num(a.startToFireTimeout?.nanos) / 1e6);
        const step = { type: 'timer' as const, eventId, startedAt: at(event), durationMs, state: 'waiting' as const };
        timers.set(a.timerId ?? '', step);
        steps.push(step);
        break;
      }
      case E.EVENT_TYPE_TIMER_FIRED:
      case E.EVENT_TYPE_TIMER_CANCELED: {
        const timerId = event.timerFiredEventAttributes?.timerId ?? event.timerCanceledEventAttributes?.timerId ?? '';
        const step = timers.get(timerId);
        if (step)
          Object.assign(step, {
            endedAt: at(event),
            state: event.eventType === E.EVENT_TYPE_TIMER_FIRED ? 'fired' : 'canceled',
          });
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
        const a = event.workflowExecutionUpdateAcceptedEventAttributes!;
        const input = a.acceptedRequest?.input;
        const step = {
          type: 'update' as const,
          eventId,
          name: input?.name ?? '',
          input: decode(input?.args),
          acceptedAt: Math.min(at(event), taskStartedAt ?? at(event)),
        };
        updates.set(eventId, step);
        steps.push(step);
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
        const a = event.workflowExecutionUpdateCompletedEventAttributes!;
        const step = updates.get(num(a.acceptedEventId));
        if (step) {
          step.completedAt = at(event);
          if (a.outcome?.failure) step.failure = summarizeFailure(a.outcome.failure);
          else step.result = decode(a.outcome?.success)[0];
        }
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const a = event.workflowExecutionSignaledEventAttributes!;
        steps.push({ type: 'signal', eventId, name: a.signalName ?? '', input: decode(a.input), at: at(event) });
        break;
      }
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
        const a = event.startChildWorkflowExecutionInitiatedEventAttributes!;
        const step = {
          type: 'child' as const,
          eventId,
          workflowId: a.workflowId ?? '',
          workflowType: a.workflowType?.name ?? '',
          initiatedAt: at(event),
          state: 'initiated' as const,
        };
        children.set(eventId, step);
        steps.push(step);
        break;
      }
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
        const step = children.get(num(event.childWorkflowExecutionStartedEventAttributes?.initiatedEventId));
        if (step) Object.assign(step, { startedAt: at(event), state: 'started' });
        break;
      }
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      case E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: {
        const initiated =
          event.childWorkflowExecutionCompletedEventAttributes?.initiatedEventId ??
          event.childWorkflowExecutionFailedEventAttributes?.initiatedEventId ??
          event.startChildWorkflowExecutionFailedEventAttributes?.initiatedEventId;
        const step = children.get(num(initiated));
        if (step)
          Object.assign(step, {
            closedAt: at(event),
            state: event.eventType === E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED ? 'completed' : 'failed',
          });
        break;
      }
      case E.EVENT_TYPE_MARKER_RECORDED: {
        // A local activity is one marker, written when the workflow task that ran it completed.
        const a = event.markerRecordedEventAttributes!;
        if (a.markerName !== LOCAL_ACTIVITY_MARKER) break;
        const data = (decode(a.details?.data)[0] ?? {}) as {
          activity_type?: string;
          attempt?: number;
          complete_time?: { seconds?: number | string; nanos?: number };
        };
        const failure = summarizeFailure(a.failure);
        // The marker is written when the whole workflow task completes, which may be after work
        // that other workflows started meanwhile (a redelivery of a delivery this task made), so
        // the worker's completion time in the marker is when it happened; never after the marker.
        const recordedAt = at(event);
        const completed =
          data.complete_time?.seconds !== undefined
            ? Number(data.complete_time.seconds) * 1000 + Math.floor((data.complete_time.nanos ?? 0) / 1e6)
            : NaN;
        const when = Number.isFinite(completed) ? Math.min(completed, recordedAt) : recordedAt;
        steps.push({
          type: 'activity',
          eventId,
          name: data.activity_type ?? '',
          local: true,
          scheduledAt: when,
          startedAt: when,
          closedAt: when,
          attempt: data.attempt ?? 1,
          state: failure ? 'failed' : 'completed',
          result: decode(a.details?.result)[0],
          ...(failure ? { failure } : {}),
        });
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_TASK_FAILED: {
        steps.push({
          type: 'task_failed',
          eventId,
          at: at(event),
          failure: summarizeFailure(event.workflowTaskFailedEventAttributes?.failure),
        });
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        steps.push({
          type: 'closed',
          eventId,
          at: at(event),
          status: 'completed',
          result: decode(event.workflowExecutionCompletedEventAttributes?.result)[0],
        });
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        steps.push({
          type: 'closed',
          eventId,
          at: at(event),
          status: 'failed',
          failure: summarizeFailure(event.workflowExecutionFailedEventAttributes?.failure),
        });
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        steps.push({ type: 'closed', eventId, at: at(event), status: 'timed_out' });
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        steps.push({
          type: 'closed',
          eventId,
          at: at(event),
          status: 'terminated',
          failure: { message: event.workflowExecutionTerminatedEventAttributes?.reason ?? 'terminated' },
        });
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        steps.push({ type: 'closed', eventId, at: at(event), status: 'canceled' });
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        steps.push({ type: 'closed', eventId, at: at(event), status: 'continued_as_new' });
        break;
      default:
        break; // workflow tasks, markers, search attributes: bookkeeping, not part of the story
    }
  }
  return steps;
}

/** A payload we cannot decode (another converter, binary) is shown as such, never fails the timeline. */
function safeDecode(converter: PayloadConverter, payload: temporal.api.common.v1.IPayload): unknown {
  try {
    return converter.fromPayload(payload);
  } catch {
    return '(undecodable payload)';
  }
}
