import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { workflowIdFor, type ConversionView, type StatusChange } from '../domain/conversion';
import { ILLEGAL_TRANSITION, setStatusUpdate, type StatusUpdateResult } from '../workflows/conversion-api';
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
    return await temporal.workflow.getHandle(workflowIdFor(conversionId)).executeUpdate(setStatusUpdate, { args: [change] });
  } catch (err) {
    if (isIllegal(err)) throw new ApiError(409, 'illegal_transition', (err as WorkflowUpdateFailedError).cause!.message);
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  try {
    const conversion = await temporal.workflow.execute('applyLateStatusChange', {
      taskQueue,
      // One id per requested change, so the same late request repeated starts nothing new.
      workflowId: `${workflowIdFor(conversionId)}-late-${change.status}`,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      args: [{ conversionId, change }],
    });
    return conversion as StatusUpdateResult;
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.type === ILLEGAL_TRANSITION)
      throw new ApiError(409, 'illegal_transition', cause.message);
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') {
      const result = (await temporal.workflow
        .getHandle(`${workflowIdFor(conversionId)}-late-${change.status}`)
        .result()) as StatusUpdateResult;
      return { changed: false, conversion: result.conversion as ConversionView };
    }
    throw err;
  }
}

function isIllegal(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ILLEGAL_TRANSITION;
}
