import { ApplicationFailure } from '@temporalio/workflow';
import { checkTransition } from '../domain/status';
import type { CapReservation } from '../domain/steps';
import type { LifecycleStatus } from '../domain/status';
import { databaseSteps, patchedBefore } from './activity-profiles';
import { ILLEGAL_TRANSITION, type LateStatusChangeInput, type StatusUpdateResult } from './contract';
import { applyTransition } from './transition';

/** Patch id of the switch to applyTransition's cap rule (freesCaps, and only with places to give back). */
export const ONE_TRANSITION_PATCH = 'one-apply-transition-v1';

/** The rule late changes ran under before: declined and reversed released, even with nothing reserved. */
const releasedBefore = (to: LifecycleStatus, _reservations: CapReservation[]) => to === 'declined' || to === 'reversed';

/**
 * A status change for a conversion whose workflow has closed (e.g. a chargeback after the
 * reversal window): applied from the projection with the same transition as the workflow's own.
 */
export async function applyLateStatusChange(input: LateStatusChangeInput): Promise<StatusUpdateResult> {
  const state = await databaseSteps().loadConversionState({ conversionId: input.conversionId });
  if (state.view.status === input.change.status) return { changed: false, conversion: state.view };
  const check = checkTransition(state.view.status, input.change.status);
  if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, ILLEGAL_TRANSITION);
  const { view } = await applyTransition(
    state,
    {
      to: input.change.status,
      reasonCodes: input.change.reason ? [input.change.reason] : [],
      actor: input.change.actor,
      reason: input.change.detail ?? input.change.reason,
    },
    { notify: () => true, ...(patchedBefore(ONE_TRANSITION_PATCH) ? {} : { releases: releasedBefore }) },
  );
  return { changed: true, conversion: view };
}
