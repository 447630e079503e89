/**
 * A conversion's lifecycle. `processing` is the workflow's state before screening decides;
 * `held` is ours (fraud or cap review), `pending` is the advertiser's (awaiting validation).
 */
export const lifecycleStatuses = ['processing', 'approved', 'pending', 'held', 'rejected', 'declined', 'reversed'] as const;
export type LifecycleStatus = (typeof lifecycleStatuses)[number];

export const allowedTransitions: Readonly<Record<LifecycleStatus, readonly LifecycleStatus[]>> = {
  processing: ['approved', 'pending', 'held', 'rejected'],
  pending: ['approved', 'declined'],
  held: ['approved', 'declined'],
  approved: ['reversed'],
  rejected: [],
  declined: [],
  reversed: [],
};

export function isFinal(status: LifecycleStatus): boolean {
  return allowedTransitions[status].length === 0;
}

export function checkTransition(from: LifecycleStatus, to: LifecycleStatus): { ok: true } | { ok: false; reason: string } {
  if (allowedTransitions[from].includes(to)) return { ok: true };
  // Said apart so a caller can treat a repeated update as a no-op rather than an error.
  if (from === to) return { ok: false, reason: `the conversion is already ${from}` };
  if (isFinal(from)) return { ok: false, reason: `cannot change a conversion from ${from} to ${to}: ${from} is final` };
  return {
    ok: false,
    reason: `cannot change a conversion from ${from} to ${to}; allowed: ${allowedTransitions[from].join(', ')}`,
  };
}

/**
 * The payout the ledger must hold for a conversion in `status`: the affiliate payable entries
 * of a conversion must always sum to exactly this (invariant 3). Only approved is payable;
 * pending and held are not yet, and reversed hands the payout back, so those hold 0.
 */
export function payableMinor(status: LifecycleStatus, payoutMinor: number): number {
  if (!Number.isSafeInteger(payoutMinor)) throw new Error(`payout must be integer minor units, got ${payoutMinor}`);
  return status === 'approved' ? payoutMinor : 0;
}

/**
 * Whether entering `status` gives the conversion's cap places back. A cap limits the
 * conversions that count; one that ends unpaid (rejected, declined, reversed: the final
 * statuses) must not keep a place another conversion could use. Approved, pending and held keep theirs.
 */
export function freesCaps(status: LifecycleStatus): boolean {
  return status === 'rejected' || status === 'declined' || status === 'reversed';
}
