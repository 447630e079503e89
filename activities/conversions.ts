import { workflowIdFor, type ConversionInput } from '../domain/conversion';
import type { Models } from '../models';

export interface ConversionActivityDeps {
  models: Models;
  now: () => Date;
}

export function conversionActivities({ models, now }: ConversionActivityDeps) {
  return {
    /**
     * Writes the conversion projection. Idempotent: $setOnInsert keyed by the conversion id,
     * so a retried or replayed activity leaves the first write as it was.
     */
    async recordConversion(input: ConversionInput): Promise<{ created: boolean }> {
      const result = await models.Conversion.updateOne(
        { _id: input.conversionId },
        {
          $setOnInsert: {
            dedupe_key: input.dedupeKey,
            workflow_id: workflowIdFor(input.conversionId),
            click_id: input.clickId,
            goal: input.goal,
            txid: input.txid,
            amount: input.amount,
            currency: input.currency,
            status: input.status ?? 'approved',
            received_at: new Date(input.receivedAt),
            recorded_at: now(),
          },
        },
        { upsert: true },
      );
      return { created: result.upsertedCount === 1 };
    },
  };
}
