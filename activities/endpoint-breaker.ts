import type { Models } from '../models';

/**
 * A simple per-endpoint circuit breaker: consecutive retryable failures pause the endpoint
 * (doubling up to 64× pauseMs); deliveries wait out the pause without spending attempts and
 * drain once a success closes it again. 410 Gone deactivates the endpoint.
 */
export async function feedBreaker(
  models: Models,
  {
    endpointId,
    attemptId,
    outcome,
    at,
    threshold,
    pauseMs,
  }: { endpointId: string; attemptId: string; outcome: string; at: Date; threshold: number; pauseMs: number },
): Promise<void> {
  if (outcome === 'success') {
    await models.PostbackEndpoint.updateOne(
      { _id: endpointId, $or: [{ consecutive_failures: { $gt: 0 } }, { paused_until: { $ne: null } }] },
      { $set: { consecutive_failures: 0, paused_until: null } },
    );
  } else if (outcome === 'gone') {
    await models.PostbackEndpoint.updateOne(
      { _id: endpointId },
      { $set: { active: false, deactivated_reason: 'the endpoint answered 410 Gone' } },
    );
  } else if (outcome === 'retry') {
    // Counted once per attempt: a retried activity finds its attempt id already there.
    await models.PostbackEndpoint.updateOne(
      { _id: endpointId, last_failed_attempt: { $ne: attemptId } },
      { $inc: { consecutive_failures: 1 }, $set: { last_failed_attempt: attemptId } },
    );
    const failures = (await models.PostbackEndpoint.findById(endpointId, { consecutive_failures: 1 }).lean())?.consecutive_failures ?? 0;
    if (failures >= threshold) {
      const pause = pauseMs * 2 ** Math.min(failures - threshold, 6);
      await models.PostbackEndpoint.updateOne({ _id: endpointId }, { $set: { paused_until: new Date(at.getTime() + pause) } });
    }
  }
}
