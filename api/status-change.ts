import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
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
 * Asks a conversion for a new status: an Update to its workflow while it is open; once it has
 * closed (final, or approved past the reversal window) a short `applyLateStatusChange` workflow
 * applies it from the projection. Illegal transitions become 409 with the reason.
 */
export async function requestStatusChange(
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
