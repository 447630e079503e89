import type { Schemas } from '../../api/client';

export type Reason = Schemas['TrafficbackReason'];
export type Click = Schemas['Click'];
export type Hop = NonNullable<Click['trafficback']>['chain'][number];

/** Why a click was turned away, in the order the click path checks them (README "Trafficback"). */
export const reasonLabels: Record<Reason, string> = {
  offer_unknown: 'Offer unknown',
  offer_paused: 'Offer paused',
  offer_expired: 'Offer expired',
  affiliate_unknown: 'Affiliate unknown',
  affiliate_inactive: 'Affiliate inactive',
  blocked_sub: 'Blocked sub id',
  cap_reached: 'Cap reached',
  duplicate_click: 'Duplicate click',
};

export const reasons = Object.keys(reasonLabels) as Reason[];
export const isReason = (value: string | undefined): value is Reason => value !== undefined && value in reasonLabels;

/** What chose the next target at a hop. */
export const levelLabels: Record<Hop['level'], string> = {
  affiliate: "the affiliate's target on this offer",
  offer: "the offer's target",
  global: 'the global target',
};

export const stoppedLabels = { cycle: 'cycle', max_hops: 'max hops' } as const;

/** The reason with what it names: the full cap, or which sub id was blocked. */
export function reasonDetail(r: { cap_id?: string; sub?: string }): string | undefined {
  if (r.cap_id) return `cap ${r.cap_id}`;
  if (r.sub) return `${r.sub} blocked`;
  return undefined;
}
