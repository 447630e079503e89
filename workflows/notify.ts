import { ParentClosePolicy, startChild, WorkflowIdReusePolicy, workflowInfo } from '@temporalio/workflow';
import type { LifecycleStatus } from '../domain/status';
import { deliveryTaskQueue } from '../temporal/task-queues';
import { databaseSteps } from './activity-profiles';
import { deliveryWorkflowId } from './contract';
import { deliverPostback } from './delivery';

/**
 * One delivery workflow per endpoint for this event. Deterministic ids (from the event and the
 * endpoint) mean a replayed parent cannot start one twice; ABANDON lets them outlive the
 * conversion workflow, which may close long before the last retry.
 */
export async function notifyAffiliates(conversionId: string, event: LifecycleStatus, seq: number): Promise<void> {
  const planned = await databaseSteps().planDeliveries({ conversionId, event, seq });
  for (const delivery of planned) {
    await startChild(deliverPostback, {
      workflowId: deliveryWorkflowId(delivery.deliveryId),
      taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
      args: [{ deliveryId: delivery.deliveryId, run: 0 }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }
}
