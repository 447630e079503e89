import type { StatusChange } from '../domain/conversion';
import { checkAdvertiserReview } from '../domain/advertiser-review';
import type { LifecycleStatus } from '../domain/status';
import { actingParty } from './acting-party';
import { ApiError } from './errors';

/** What the check needs of the conversion, and how it reads the offer's setting. */
export interface StatusChangeTarget {
  id: string;
  status: LifecycleStatus;
  advertiser_id: string;
  offer_id: string;
}

/**
 * Who may ask POST /api/conversions/:id/status for `to`, and as whom it is recorded. Admin and
 * ops: any status the lifecycle allows, recorded as `ops`. An advertiser: only its own
 * conversion (another's answers 404, like a missing one), only where the offer sets
 * `advertiser_can_review`, only pending → approved or declined (domain/advertiser-review.ts);
 * recorded as `advertiser:<id>`. No other realm changes statuses.
 */
export async function statusChangeActor(
  principal: unknown,
  conversion: StatusChangeTarget,
  to: string,
  offerAllowsReview: (offerId: string) => Promise<boolean>,
): Promise<StatusChange['actor']> {
  const party = actingParty(principal);
  if (party.realm === 'admin' || party.realm === 'ops') return 'ops';
  if (party.realm !== 'advertiser') throw new ApiError(403, 'out_of_realm', "an affiliate cannot change a conversion's status");
  if (conversion.advertiser_id !== party.partyId) throw new ApiError(404, 'not_found', `no conversion with id "${conversion.id}"`);
  const verdict = checkAdvertiserReview({ offerAllows: await offerAllowsReview(conversion.offer_id), from: conversion.status, to });
  if (!verdict.ok) throw new ApiError(verdict.status, verdict.code, verdict.message);
  return `advertiser:${party.partyId}`;
}
