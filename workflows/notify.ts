import { ParentClosePolicy, startChild, WorkflowIdReusePolicy, workflowInfo } from '@temporalio/workflow';
import type { LifecycleStatus } from '../domain/status';
import type { DeliveryContinuation } from '../domain/steps';
import { deliveryTaskQueue } from '../temporal/task-queues';
import { databaseSteps, firstAttemptSteps, patchedBefore } from './activity-profiles';
import { deliveryWorkflowId } from './contract';
import { deliverPostback } from './delivery';

/**
 * Patch id of the first attempt made here: most postbacks succeed on it, and then no delivery
 * workflow runs at all. Histories recorded before it replay starting a delivery workflow per endpoint.
 */
export const FIRST_ATTEMPT_INLINE_PATCH = 'first-delivery-attempt-inline-v1';

/**
 * Delivers this event to each planned endpoint. The first attempt runs here, as a local activity
 * (no task-queue round trip, no child workflow); the durable retry workflow starts only for the
 * deliveries it did not end. A worker lost between the attempt and the child's start loses
 * nothing: the marker and the start are written by the same workflow task completion, so a
 * retried task attempts again (at least once, the same event id and attempt row) and then starts it.
 */
export async function notifyAffiliates(conversionId: string, event: LifecycleStatus, seq: number): Promise<void> {
  const planned = await databaseSteps().planDeliveries({ conversionId, event, seq });
  // Asked only with something to deliver, so a conversion without endpoints records no marker.
  if (planned.length === 0 || !patchedBefore(FIRST_ATTEMPT_INLINE_PATCH)) {
    for (const delivery of planned) await startDeliveryWorkflow(delivery.deliveryId);
    return;
  }
  const { firstDeliveryAttempt } = firstAttemptSteps();
  const firsts = await Promise.all(planned.map((d) => firstDeliveryAttempt({ deliveryId: d.deliveryId, run: 0 })));
  for (const first of firsts) if (first.continueFrom) await startDeliveryWorkflow(first.deliveryId, first.continueFrom);
}

/**
 * The durable retry workflow. Deterministic ids (from the event and the endpoint) mean a replayed
 * parent cannot start one twice; ABANDON lets it outlive the conversion workflow, which may close
 * long before the last retry.
 */
async function startDeliveryWorkflow(deliveryId: string, continueFrom?: DeliveryContinuation): Promise<void> {
  await startChild(deliverPostback, {
    workflowId: deliveryWorkflowId(deliveryId),
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    args: [{ deliveryId, run: 0, ...(continueFrom ? { continueFrom } : {}) }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
}
