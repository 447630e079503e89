import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Short MongoDB steps: retried without limit, since a conversion must never be dropped for a
 * database outage; the backoff caps at a minute so recovery is noticed quickly.
 */
export const DATABASE_STEP: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
