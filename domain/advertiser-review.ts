import type { LifecycleStatus } from './status';

/**
 * What an advertiser may do to its own conversions, where the offer lets it
 * (`advertiser_can_review`): approve or decline a pending one, as its own later postback could.
 * `held` is ours (fraud or cap review) and stays with ops; approved → reversed (a chargeback) is
 * sent as a postback, not decided here.
 */
export const advertiserReviewStatuses = ['approved', 'declined'] as const satisfies readonly LifecycleStatus[];

export type ReviewVerdict = { ok: true } | { ok: false; status: 403 | 409; code: string; message: string };

export function checkAdvertiserReview(input: { offerAllows: boolean; from: LifecycleStatus; to: string }): ReviewVerdict {
  if (!input.offerAllows)
    return {
      ok: false,
      status: 403,
      code: 'review_not_allowed',
      message: "this conversion's offer does not let its advertiser approve or decline conversions (advertiser_can_review is off)",
    };
  if (!(advertiserReviewStatuses as readonly string[]).includes(input.to))
    return {
      ok: false,
      status: 403,
      code: 'status_not_allowed',
      message: `status: an advertiser may set ${advertiserReviewStatuses.join(' or ')} only, not ${input.to}`,
    };
  // Asking again for what it already is, is a no-op the workflow answers with changed: false.
  if (input.from !== 'pending' && input.from !== input.to)
    return {
      ok: false,
      status: 409,
      code: 'not_pending',
      message: `only a pending conversion can be approved or declined by its advertiser; this one is ${input.from}`,
    };
  return { ok: true };
}
