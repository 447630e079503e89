import { ApplicationFailure } from '@temporalio/activity';
import type { LifecycleStatus } from '../domain/status';
import type { ConversionState } from '../domain/steps';
import type { StepDeps } from './deps';

export function stateActivities({ models }: StepDeps) {
  return {
    /** The projection as the late-status workflow needs it, including the amounts reserved. */
    async loadConversionState(input: { conversionId: string }): Promise<ConversionState> {
      const doc = await models.Conversion.findById(input.conversionId).lean();
      if (!doc) throw ApplicationFailure.nonRetryable(`conversion ${input.conversionId} not found`, 'ConversionNotFound');
      const counters = await models.CapCounter.find({
        _id: { $in: doc.cap_reservations },
        'reservations.id': input.conversionId,
      }).lean();
      const reservations = counters.map((c) => ({
        counterId: c._id,
        amount: c.reservations.find((r) => r.id === input.conversionId)?.amount ?? 0,
      }));
      return {
        view: {
          conversionId: doc._id,
          status: doc.status as LifecycleStatus,
          reasonCodes: doc.reason_codes,
          payoutMinor: doc.payout_minor ?? 0,
          revenueMinor: doc.revenue_minor ?? 0,
          currency: doc.currency ?? '',
          seq: doc.status_seq + 1,
        },
        parties: {
          affiliateId: doc.affiliate_id,
          advertiserId: doc.advertiser_id,
          offerId: doc.offer_id,
          ...(doc.test ? { test: true } : {}),
        },
        reservations,
      };
    },
  };
}
