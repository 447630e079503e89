import { proxyActivities } from '@temporalio/workflow';
import type { RetentionSteps, RetentionSweepInput, RetentionSweepResult } from '../domain/steps';

/**
 * The sweep is one long activity that heartbeats after every batch (activities/retention.ts): a
 * worker lost mid-sweep is noticed within the heartbeat timeout and the sweep retried elsewhere,
 * which deletes what is still due. Retried a few times only: the schedule starts the next one.
 */
const { sweepRetention } = proxyActivities<RetentionSteps>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/**
 * The data lifecycle (README "Data retention"): started by the Temporal Schedule the worker
 * creates (retention/schedule.ts), with the policy as its argument, so the run is what the
 * schedule shows. Its result is the sweep's: what each rule deleted.
 */
export async function retentionSweep(input: RetentionSweepInput): Promise<RetentionSweepResult> {
  return sweepRetention(input);
}
