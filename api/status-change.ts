import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { StatusChange } from '../domain/conversion';
import {
  conversionWorkflowId,
  ILLEGAL_TRANSITION,
  lateChangeWorkflowId,
  setStatusUpdate,
  workflowTypes,
  type ApplyLateStatusChange,
  type StatusUpdateResult,
} from '../workflows/contract';
import { ApiError } from './errors';

/**
 * How long a status change may wait for the conversion's workflow to take it. The Update needs a
 * worker to run the workflow: with the workers down or far behind it would wait for them (6–20 s,
 * past advertisers' client timeouts, were seen in the fault suite), so past this the caller gets a
 * 503 with Retry-After instead of a hanging request.
 */
export const STATUS_CHANGE_WAIT_MS = 10_000;
const STATUS_CHANGE_RETRY_AFTER_S = 5;

/**
 * Asks a conversion for a new status: an Update to its workflow while it is open; once it has
 * closed (final, or approved past the reversal window) a short `applyLateStatusChange` workflow
 * applies it from the projection. Illegal transitions become 409 with the reason.
 *
 * Answers within `waitMs`: past it, a 503 `status_update_pending`. The change is then not
 * confirmed (an Update the server admitted may still be applied when a worker takes it, and a
 * late-change workflow that started runs to its end), so the caller sends it again; a repeat of a
 * change already applied answers `changed: false`, never applies it twice.
 */
export async function requestStatusChange(
  temporal: Client,
  taskQueue: string,
  conversionId: string,
  change: StatusChange,
  waitMs = STATUS_CHANGE_WAIT_MS,
): Promise<StatusUpdateResult> {
  try {
    return await temporal.withDeadline(Date.now() + waitMs, () => applyStatusChange(temporal, taskQueue, conversionId, change));
  } catch (err) {
    if (!isTimeout(err)) throw err;
    throw new ApiError(
      503,
      'status_update_pending',
      `conversion "${conversionId}" did not take the change to ${change.status} within ${waitMs / 1000} s ` +
        `(its workers are busy or down); it is not confirmed: send the same request again after ` +
        `${STATUS_CHANGE_RETRY_AFTER_S} s (a change already applied answers as a duplicate)`,
      undefined,
      { 'Retry-After': String(STATUS_CHANGE_RETRY_AFTER_S) },
    );
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err);
}

async function applyStatusChange(
  temporal: Client,
  taskQueue: string,
  conversionId: string,
  change: StatusChange,
): Promise<StatusUpdateResult> {
  try {
    return await temporal.workflow.getHandle(conversionWorkflowId(conversionId)).executeUpdate(setStatusUpdate, { args: [change] });
  } catch (err) {
    if (isIllegal(err)) throw new ApiError(409, 'illegal_transition', (err as WorkflowUpdateFailedError).cause!.message);
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const workflowId = lateChangeWorkflowId(conversionId, change.status);
  try {
    return await temporal.workflow.execute<ApplyLateStatusChange>(workflowTypes.applyLateStatusChange, {
      taskQueue,
      workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      args: [{ conversionId, change }],
    });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.type === ILLEGAL_TRANSITION)
      throw new ApiError(409, 'illegal_transition', cause.message);
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') {
      const result = await temporal.workflow.getHandle<ApplyLateStatusChange>(workflowId).result();
      return { changed: false, conversion: result.conversion };
    }
    throw err;
  }
}

function isIllegal(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ILLEGAL_TRANSITION;
}
