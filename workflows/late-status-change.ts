import { ApplicationFailure } from '@temporalio/workflow';
import { databaseSteps } from './activity-profiles';
import type { StatusChange } from '../domain/conversion';
import { checkTransition } from '../domain/status';
import { ILLEGAL_TRANSITION, type StatusUpdateResult } from './conversion-api';
import { notifyAffiliates } from './notify';

/**
 * A status change for a conversion whose workflow has closed (e.g. a chargeback after the
 * reversal window): applied from the projection with the same activities and ledger keys.
 */
export async function applyLateStatusChange(input: { conversionId: string; change: StatusChange }): Promise<StatusUpdateResult> {
  const state = await databaseSteps().loadConversionState({ conversionId: input.conversionId });
  if (state.view.status === input.change.status) return { changed: false, conversion: state.view };
  const check = checkTransition(state.view.status, input.change.status);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, ILLEGAL_TRANSITION);
  const reasonCodes = input.change.reason ? [input.change.reason] : [];
  await databaseSteps().recordTransition({
    ...state.parties,
    conversionId: input.conversionId,
    seq: state.view.seq,
    from: state.view.status,
    to: input.change.status,
    reasonCodes,
    reason: input.change.reason,
    actor: input.change.actor,
    payoutMinor: state.view.payoutMinor,
    revenueMinor: state.view.revenueMinor,
    currency: state.view.currency,
  });
  if (input.change.status === 'declined' || input.change.status === 'reversed')
    await databaseSteps().releaseCaps({ conversionId: input.conversionId, reservations: state.reservations });
  await notifyAffiliates(input.conversionId, input.change.status, state.view.seq);
  return {
    changed: true,
    conversion: { ...state.view, status: input.change.status, reasonCodes, seq: state.view.seq + 1 },
  };
}
