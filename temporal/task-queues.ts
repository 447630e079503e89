/**
 * Deliveries run on a task queue of their own, so a flood of new conversions cannot starve
 * affiliate postbacks (they would otherwise wait behind every conversion task), and delivery
 * workers can be scaled apart. Pure: workflow code derives it from its own task queue.
 */
export function deliveryTaskQueue(taskQueue: string): string {
  return `${taskQueue}-deliveries`;
}
