import {
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { DeliveryContinuation, DispatchInput, SubscriptionSteps } from '../domain/steps';
import { deliveryTaskQueue } from '../temporal/task-queues';
import { DATABASE_STEP, firstAttemptSteps } from './activity-profiles';
import { deliveryWorkflowId } from './contract';
import { deliverPostback } from './delivery';

/**
 * The claim is a long poll (activities/subscription-dispatch.ts): up to 30 s waiting for events,
 * heartbeating, so a claim lost with its worker is retried elsewhere within the heartbeat timeout.
 */
const { claimSubscriptionBatch } = proxyActivities<SubscriptionSteps>({
  ...DATABASE_STEP,
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '15 seconds',
});

/** Claims per run before continuing as new: keeps the history short whatever the subscription's age. */
const CLAIMS_PER_RUN = 200;

/**
 * A subscription's dispatcher, one per subscription (id subscription-<id>), running for as long as
 * the subscription is active: it claims the next events (numbered 1, 2, 3 … and stored before
 * anything is sent) and delivers each on the postback machinery. The first attempt of each runs
 * here as a local activity, as for postbacks (workflows/notify.ts); only an event that attempt does
 * not deliver gets the durable retry workflow, with the same schedule, attempt rows, breaker and
 * dead letter. In strict order the next event waits until the previous one's delivery ended
 * (succeeded, or failed or dead-lettered by policy); otherwise a batch goes out at once.
 */
export async function dispatchSubscription(input: DispatchInput): Promise<void> {
  let { after, nextSequence } = input;
  const { firstDeliveryAttempt } = firstAttemptSteps();
  const retryWorkflow = (deliveryId: string, continueFrom: DeliveryContinuation) => ({
    workflowId: deliveryWorkflowId(deliveryId),
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    args: [{ deliveryId, run: 0, continueFrom }] as [Parameters<typeof deliverPostback>[0]],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
  for (let claims = 0; claims < CLAIMS_PER_RUN; claims++) {
    const batch = await claimSubscriptionBatch({ subscriptionId: input.subscriptionId, after, firstSequence: nextSequence });
    if (batch.inactive) return;
    if (batch.strictOrder) {
      for (const d of batch.deliveries) {
        const first = await firstDeliveryAttempt({ deliveryId: d.deliveryId, run: 0 });
        if (first.continueFrom) await executeChild(deliverPostback, retryWorkflow(d.deliveryId, first.continueFrom));
      }
    } else {
      const firsts = await Promise.all(batch.deliveries.map((d) => firstDeliveryAttempt({ deliveryId: d.deliveryId, run: 0 })));
      for (const first of firsts)
        if (first.continueFrom)
          await startChild(deliverPostback, {
            ...retryWorkflow(first.deliveryId, first.continueFrom),
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
    }
    after = batch.next;
    nextSequence += batch.deliveries.length;
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await continueAsNew<typeof dispatchSubscription>({ subscriptionId: input.subscriptionId, after, nextSequence });
}
