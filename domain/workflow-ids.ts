import type { LifecycleStatus } from './status';

/**
 * Workflow ids are business keys (a duplicate postback finds the running or closed workflow
 * instead of starting a second one), so they are built here and nowhere else.
 */
export function conversionWorkflowId(conversionId: string): string {
  return `conversion-${conversionId}`;
}

/** Each redelivery is a new run of the same id. */
export function deliveryWorkflowId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

/** One id per requested change, so the same late request repeated starts nothing new. */
export function lateChangeWorkflowId(conversionId: string, status: LifecycleStatus): string {
  return `${conversionWorkflowId(conversionId)}-late-${status}`;
}

/** One dispatcher per subscription (workflows/subscription.ts). */
export function subscriptionWorkflowId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

/**
 * The retention sweep's Temporal Schedule (retention/schedule.ts), one per deployment (its task
 * queue): `postflow-retention` with the default TASK_QUEUE. Its runs are `<id>-<start time>`.
 */
export function retentionScheduleId(taskQueue: string): string {
  return `${taskQueue}-retention`;
}
