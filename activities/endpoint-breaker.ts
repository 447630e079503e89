import { endpointPausedEvent, endpointResumedEvent, type EndpointForEvents } from '../events/endpoint-events';
import type { RecordEvents } from '../events/record';
import type { Model } from 'mongoose';

/**
 * A simple per-target circuit breaker (an affiliate's postback endpoint, or a subscription):
 * consecutive retryable failures pause the target (doubling up to 64× pauseMs); deliveries wait
 * out the pause without spending attempts and drain once a success closes it again. 410 Gone
 * deactivates the target.
 *
 * For endpoints, each pause records endpoint.paused and each close after a pause endpoint.resumed,
 * with ids from the attempt that caused them, so a retried attempt records the same event again.
 */
export async function feedBreaker(
  // Postback endpoints or subscriptions: the breaker's fields are the same.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  targets: Model<any>,
  recordEvents: RecordEvents,
  {
    endpoint,
    attemptId,
    outcome,
    at,
    threshold,
    pauseMs,
  }: {
    /** The endpoint as the attempt read it before sending. */
    endpoint: EndpointForEvents & { paused_until?: Date | null };
    attemptId: string;
    outcome: string;
    at: Date;
    threshold: number;
    pauseMs: number;
  },
): Promise<void> {
  const endpointId = endpoint._id;
  if (outcome === 'success') {
    // An attempt sent while paused_until was set is the probe after the pause ran out: its success
    // resumes the endpoint. The event goes first, so a crash between the two writes cannot lose it
    // (the retried attempt records the same id, then closes the breaker).
    const probe = Boolean(endpoint.paused_until);
    if (probe) await recordEvents([endpointResumedEvent(endpoint, attemptId, at)]);
    const before = await targets
      .findOneAndUpdate(
        { _id: endpointId, $or: [{ consecutive_failures: { $gt: 0 } }, { paused_until: { $ne: null } }] },
        { $set: { consecutive_failures: 0, paused_until: null } },
        { new: false, projection: { paused_until: 1 } },
      )
      .lean<{ paused_until?: Date | null } | null>();
    // Another attempt paused it while this one was in flight: this success resumes it too.
    if (!probe && before?.paused_until) await recordEvents([endpointResumedEvent(endpoint, attemptId, at)]);
  } else if (outcome === 'gone') {
    await targets.updateOne({ _id: endpointId }, { $set: { active: false, deactivated_reason: 'the endpoint answered 410 Gone' } });
  } else if (outcome === 'retry') {
    // Counted once per attempt: a retried activity finds its attempt id already there.
    await targets.updateOne(
      { _id: endpointId, last_failed_attempt: { $ne: attemptId } },
      { $inc: { consecutive_failures: 1 }, $set: { last_failed_attempt: attemptId } },
    );
    const counted = await targets.findById(endpointId, { consecutive_failures: 1 }).lean<{ consecutive_failures?: number } | null>();
    const failures = counted?.consecutive_failures ?? 0;
    if (failures >= threshold) {
      const until = new Date(at.getTime() + pauseMs * 2 ** Math.min(failures - threshold, 6));
      await targets.updateOne({ _id: endpointId }, { $set: { paused_until: until } });
      // After the pause is written; a retried attempt re-reads the count and records the same id.
      await recordEvents([endpointPausedEvent(endpoint, attemptId, failures, until, at)]);
    }
  }
}
