import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Models } from '../models';
import { deliveryWorkflowId, endpointResumedSignal } from '../workflows/contract';

/** A target resumed by hand: an affiliate's postback endpoint, or an event subscription. */
export type ResumedTarget = { endpointId: string } | { subscriptionId: string };

/**
 * Signals every delivery of a resumed target that may be waiting on its pause, so it tries again
 * at once rather than at its next re-check. Both kinds run the same delivery workflow
 * (activities/delivery-targets.ts), which listens for the same signal. A delivery whose workflow
 * has ended, or has not started yet (it will read the target as resumed), is skipped.
 */
export async function wakeDeliveries(deps: { models: Models; temporal: Client }, target: ResumedTarget): Promise<number> {
  const waiting = { status: { $in: ['pending', 'delivering'] } };
  const rows =
    'endpointId' in target
      ? await deps.models.Delivery.find({ endpoint_id: target.endpointId, ...waiting }, { _id: 1 }).lean<{ _id: string }[]>()
      : await deps.models.SubscriptionDelivery.find({ subscription_id: target.subscriptionId, ...waiting }, { _id: 1 }).lean<
          { _id: string }[]
        >();
  let woken = 0;
  for (const { _id } of rows) {
    try {
      await deps.temporal.workflow.getHandle(deliveryWorkflowId(_id)).signal(endpointResumedSignal);
      woken += 1;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // made its first attempt inline, or ended
    }
  }
  return woken;
}
