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
 * Patch id that stands for every patch before it. Each patch a workflow takes costs a marker and
 * an upsert of TemporalChangeVersion in its history (four of a conversion's 18 events went to
 * three patches); a workflow that took this one behaves as if it had taken them all, without
 * asking for them. Histories recorded before it do not have it, and replay asking for each.
 */
export const ALL_EARLIER_PATCHES = 'all-earlier-patches-v1';

/**
 * Whether this workflow runs with `patchId`'s change: yes for every workflow that took
 * ALL_EARLIER_PATCHES, else as `patched(patchId)` says. Only for patches older than
 * ALL_EARLIER_PATCHES; a newer patch is asked with `patched` itself.
 */
export function patchedBefore(patchId: string): boolean {
  return patched(ALL_EARLIER_PATCHES) || patched(patchId);
}

/**
 * The database steps for this point of the workflow: local, unless this is a history recorded
 * before the switch (test/fixtures/histories keep such histories replaying).
 */
export function databaseSteps(): Steps {
  return patchedBefore(LOCAL_DATABASE_STEPS_PATCH) ? localSteps : remoteSteps;
}

/**
 * The first delivery attempt, made inside the conversion workflow (workflows/notify.ts): an HTTP
 * call bounded by DELIVERY_TIMEOUT_MS (at most 120 s, config/index.ts) plus its database writes.
 * Retried like a database step: an error here is the database's, the HTTP outcome is a result.
 */
export const FIRST_ATTEMPT_STEP: LocalActivityOptions = { ...LOCAL_DATABASE_STEP, startToCloseTimeout: '130 seconds' };

export const firstAttemptSteps = () => proxyLocalActivities<DeliverySteps>(FIRST_ATTEMPT_STEP);
