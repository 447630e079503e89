import { patched, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { DeliverySteps, Steps } from '../domain/steps';

/**
 * Short MongoDB steps: retried without limit, since a conversion must never be dropped for a
 * database outage; the backoff caps at a minute so recovery is noticed quickly.
 */
export const DATABASE_STEP: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * The same steps as local activities: they run in the worker that runs the workflow task, so a
 * step costs one marker event instead of three events, a task-queue round trip and a workflow
 * task (bench/results: the Temporal server was the bottleneck). Retries past a minute are
 * scheduled with a durable timer, so a long database outage still loses nothing.
 */
export const LOCAL_DATABASE_STEP: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '1 minute',
  retry: DATABASE_STEP.retry,
};

const remoteSteps = proxyActivities<Steps>(DATABASE_STEP);
const localSteps = proxyLocalActivities<Steps>(LOCAL_DATABASE_STEP);

/** Patch id of the switch to local activities; histories recorded before it replay with remote ones. */
export const LOCAL_DATABASE_STEPS_PATCH = 'local-database-steps-v1';

/**
 * The database steps for this point of the workflow: local, unless this is a history recorded
 * before the switch (test/fixtures/histories keep such histories replaying).
 */
export function databaseSteps(): Steps {
  return patched(LOCAL_DATABASE_STEPS_PATCH) ? localSteps : remoteSteps;
}

/**
 * The first delivery attempt, made inside the conversion workflow (workflows/notify.ts): an HTTP
 * call bounded by DELIVERY_TIMEOUT_MS (at most 120 s, config/index.ts) plus its database writes.
 * Retried like a database step: an error here is the database's, the HTTP outcome is a result.
 */
export const FIRST_ATTEMPT_STEP: LocalActivityOptions = { ...LOCAL_DATABASE_STEP, startToCloseTimeout: '130 seconds' };

export const firstAttemptSteps = () => proxyLocalActivities<DeliverySteps>(FIRST_ATTEMPT_STEP);
