import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ConversionInput, ConversionResult } from '../domain/conversion';

/** Short MongoDB writes: retried without limit, since a conversion must never be dropped for an outage. */
const DATABASE_STEP = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

const { recordConversion } = proxyActivities<Activities>(DATABASE_STEP);

/** One workflow per conversion; its id is derived from the dedupe key (workflowIdFor). */
export async function processConversion(input: ConversionInput): Promise<ConversionResult> {
  await recordConversion(input);
  return { conversionId: input.conversionId, outcome: 'recorded' };
}
