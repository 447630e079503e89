import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Models } from '../models';
import { deliveryRows } from '../activities/delivery-targets';
import { deliveryTaskQueue } from '../temporal/task-queues';
import { deliveryWorkflowId, workflowTypes, type DeliverPostback } from '../workflows/contract';
import { ApiError } from './errors';

const closed = ['succeeded', 'failed', 'dead_lettered'];

/**
 * Starts a delivery again, as a new run of the same workflow id with the same event id, so the
 * receiver can recognise it. Only a delivery that is not under way can be redelivered; the
 * status gate is one conditional update, so two concurrent redeliveries start one run.
 */
export async function redeliver(
  deps: { models: Models; temporal: Client; taskQueue: string },
  deliveryId: string,
): Promise<{ run: number }> {
  // A postback delivery or a subscription's (activities/delivery-targets.ts): the same run, the same gate.
  const deliveries = deliveryRows(deps.models, deliveryId).deliveries;
  const before = await deliveries
    .findOneAndUpdate({ _id: deliveryId, status: { $in: closed } }, { $inc: { run: 1 }, $set: { status: 'pending' } })
    .lean<{ run: number; status: string } | null>();
  if (!before) {
    const exists = await deliveries.exists({ _id: deliveryId });
    if (!exists) throw new ApiError(404, 'not_found', `no delivery with id "${deliveryId}"`);
    throw new ApiError(409, 'delivery_in_progress', 'this delivery is still being attempted; redeliver it once it has ended');
  }
  const run = before.run + 1;
  try {
    await deps.temporal.workflow.start<DeliverPostback>(workflowTypes.deliverPostback, {
      workflowId: deliveryWorkflowId(deliveryId),
      taskQueue: deliveryTaskQueue(deps.taskQueue),
      args: [{ deliveryId, run }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    });
  } catch (err) {
    // The previous run was still closing: put the delivery back as it was.
    await deliveries.updateOne({ _id: deliveryId, run }, { $set: { status: before.status, run: before.run } });
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new ApiError(409, 'delivery_in_progress', 'the previous run is still closing; try again in a moment');
    throw err;
  }
  return { run };
}

/**
 * Redelivers each delivery in turn (bulk redelivery, a subscription's replay). One that is under
 * way (it just started, or has not ended) is skipped and counted: its current run sends it anyway.
 */
export async function redeliverEach(
  deps: { models: Models; temporal: Client; taskQueue: string },
  deliveryIds: string[],
): Promise<{ started: number; inProgress: number }> {
  let started = 0;
  let inProgress = 0;
  for (const id of deliveryIds) {
    try {
      await redeliver(deps, id);
      started += 1;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      inProgress += 1;
    }
  }
  return { started, inProgress };
}
