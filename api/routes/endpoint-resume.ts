import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Models } from '../../models';
import { deliveryWorkflowId, endpointResumedSignal } from '../../workflows/contract';

/**
 * Signals every delivery of the endpoint that may be waiting on its pause, so it tries again at
 * once rather than at its next re-check. A delivery whose workflow has ended, or has not started
 * yet (it will read the endpoint as resumed), is skipped.
 */
export async function wakeDeliveries(deps: { models: Models; temporal: Client }, endpointId: string): Promise<number> {
  const waiting = await deps.models.Delivery.find({ endpoint_id: endpointId, status: { $in: ['pending', 'delivering'] } }, { _id: 1 }).lean<
    { _id: string }[]
  >();
  let woken = 0;
  for (const { _id } of waiting) {
    try {
      await deps.temporal.workflow.getHandle(deliveryWorkflowId(_id)).signal(endpointResumedSignal);
      woken += 1;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return woken;
}
