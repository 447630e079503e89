import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { sequenceEvents } from '../events/sequence';
import type { Models } from '../models';
import { subscriptionWorkflowId, workflowTypes, type DispatchSubscription } from '../workflows/contract';

export interface DispatcherDeps {
  models: Models;
  temporal: Client;
  taskQueue: string;
}

/**
 * Where a new subscription starts reading the feed: after every event settled now. Older events
 * are not its own (the claim skips them too); this only spares its first claims reading them.
 */
export const feedStart = (models: Models): Promise<number> => sequenceEvents(models);

/**
 * Makes sure the subscription's dispatcher (workflows/subscription.ts) runs: started on creation,
 * and again by resume or an update, so a start lost with its API process is made up by the next.
 * It starts from the subscription's durable place (feed position, last sequence number), so
 * starting it again after it ended resumes where it stopped.
 */
export async function ensureDispatcher(deps: DispatcherDeps, subscriptionId: string): Promise<void> {
  const sub = await deps.models.Subscription.findById(subscriptionId, { active: 1, feed_position: 1, last_sequence: 1 }).lean();
  if (!sub?.active) return;
  try {
    await deps.temporal.workflow.start<DispatchSubscription>(workflowTypes.dispatchSubscription, {
      workflowId: subscriptionWorkflowId(subscriptionId),
      taskQueue: deps.taskQueue,
      args: [{ subscriptionId, after: String(sub.feed_position ?? 0), nextSequence: (sub.last_sequence ?? 0) + 1 }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // running: nothing to do
  }
}
