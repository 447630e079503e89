import type { ConversionView } from '../domain/conversion';
import { freesCaps, type LifecycleStatus } from '../domain/status';
import type { CapReservation, ConversionParties } from '../domain/steps';
import { databaseSteps } from './activity-profiles';
import { notifyAffiliates } from './notify';

/** The conversion as it stands before the change. */
export interface TransitionSubject {
  view: ConversionView;
  parties: ConversionParties;
  /** Its cap places: given back if the new status frees them. */
  reservations: CapReservation[];
}

export interface TransitionRequest {
  to: LifecycleStatus;
  reasonCodes: string[];
  actor: string;
  reason?: string;
}

export interface TransitionHooks {
  /** Runs once the change is recorded, before caps and deliveries (the conversion workflow's own state). */
  onRecorded?: (view: ConversionView) => void;
  /** Asked after the caps, where its patch marker has always been: whether to notify affiliates. */
  notify: () => boolean;
  /**
   * Which changes give the cap places back. Default: `freesCaps` with places to give; histories
   * recorded before this function existed replay with the rule they ran under.
   */
  releases?: (to: LifecycleStatus, reservations: CapReservation[]) => boolean;
}

const releasesByDefault = (to: LifecycleStatus, reservations: CapReservation[]) => freesCaps(to) && reservations.length > 0;

/**
 * What a status change does, wherever it is applied (the conversion workflow, or a late change
 * after it closed): record it with its ledger lines, free the caps if the status says so, and
 * notify the affiliate's endpoints. Returns the conversion after the change and the places it still holds.
 */
export async function applyTransition(
  subject: TransitionSubject,
  request: TransitionRequest,
  hooks: TransitionHooks,
): Promise<{ view: ConversionView; reservations: CapReservation[] }> {
  // A copy: onRecorded may move the caller's view on, and the rest is about the change as asked.
  const view = { ...subject.view };
  const { parties } = subject;
  await databaseSteps().recordTransition({
    ...parties,
    conversionId: view.conversionId,
    seq: view.seq,
    from: view.status,
    to: request.to,
    reasonCodes: request.reasonCodes,
    reason: request.reason,
    actor: request.actor,
    payoutMinor: view.payoutMinor,
    revenueMinor: view.revenueMinor,
    currency: view.currency,
  });
  const next: ConversionView = { ...view, status: request.to, reasonCodes: request.reasonCodes, seq: view.seq + 1 };
  hooks.onRecorded?.(next);
  let reservations = subject.reservations;
  if ((hooks.releases ?? releasesByDefault)(request.to, reservations)) {
    await databaseSteps().releaseCaps({ conversionId: view.conversionId, reservations });
    reservations = [];
  }
  if (hooks.notify()) await notifyAffiliates(view.conversionId, request.to, view.seq);
  return { view: next, reservations };
}
