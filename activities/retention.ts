import { Context } from '@temporalio/activity';
import type { RetentionSteps } from '../domain/steps';
import { sweepRetention } from '../retention/sweep';
import type { StepDeps } from './deps';

/** The activity's own context when it runs in a worker (tests call it outside one). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The retention sweep (retention/sweep.ts), run by the scheduled retentionSweep workflow. */
export function retentionActivities({ models, now }: StepDeps): RetentionSteps {
  return {
    /**
     * Heartbeats after every batch, so a sweep lost with its worker is retried elsewhere within the
     * heartbeat timeout, and stops between batches once cancelled (the worker shutting down).
     * Idempotent: a retry deletes what is still due.
     */
    async sweepRetention(input) {
      const ctx = activityContext();
      return sweepRetention(
        {
          models,
          now,
          progress: (p) => {
            if (!ctx) return;
            ctx.heartbeat(p);
            if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          },
        },
        input,
      );
    },
  };
}
