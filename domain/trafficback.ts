/**
 * Trafficback, as pure code: why a click is not sent to the offer it asked for, and where it goes
 * instead. The click route (api/routes/click.ts) does the reads and writes; the rules are here so
 * they are unit-tested without servers.
 *
 * A click that cannot go to its offer gets one reason (the first that applies, in the order of
 * `trafficbackReasons`) and follows the fallback chain: the affiliate's target on that offer, else
 * the offer's, else the network's global target. A target is another offer (the same affiliate,
 * through a child click linked to the original), a URL, a blank page or a 404. Another offer may be
 * unavailable too: the chain goes on from it, at most MAX_TRAFFICBACK_HOPS offers deep, and never
 * through an offer it has already visited. When the chain cannot go on it ends at the global target,
 * or a 404 when that is an offer the chain cannot take either: a click is never silently dropped.
 */

export const trafficbackReasons = [
  'offer_unknown',
  'offer_paused',
  'offer_expired',
  'affiliate_unknown',
  'affiliate_inactive',
  'blocked_sub',
  'cap_reached',
  'duplicate_click',
] as const;
export type TrafficbackReason = (typeof trafficbackReasons)[number];

export const trafficbackTargetTypes = ['offer', 'url', 'blank', 'not_found'] as const;
export type TrafficbackTarget =
  { type: 'offer'; offer_id: string } | { type: 'url'; url: string } | { type: 'blank' } | { type: 'not_found' };

/** Offer → offer redirections one click may take before it ends at the global target. */
export const MAX_TRAFFICBACK_HOPS = 3;

/** Where no global target was saved: a 404, as before trafficback existed. */
export const defaultGlobalTarget: TrafficbackTarget = { type: 'not_found' };

/** An offer's trafficback settings (stored on the offer as `trafficback`). */
export interface OfferTrafficback {
  target?: TrafficbackTarget;
  /** Per affiliate on this offer; wins over the offer's target. */
  affiliates?: { affiliate_id: string; target: TrafficbackTarget }[];
}

/** What the click path knows of an offer. */
export interface ClickOffer {
  _id: string;
  url: string;
  advertiser_id: string;
  active: boolean;
  expires_at?: Date | null;
  trafficback?: OfferTrafficback;
  /** Sub ids turned away at click time (the offer's blocked_click_subs). */
  blocked_sub_ids?: readonly string[];
}

export interface ClickAffiliate {
  _id: string;
  active: boolean;
}

export type Subs = Partial<Record<'sub1' | 'sub2' | 'sub3' | 'sub4' | 'sub5', string>>;

export interface TurnedAway {
  reason: TrafficbackReason;
  /** cap_reached: the cap that is full. */
  cap_id?: string;
  /** blocked_sub: which sub matched. */
  sub?: string;
}

/**
 * The reasons that need no database read beyond the cached offer and affiliate: null when the
 * click may go on to the checks that do (cap state, duplicate clicks).
 */
export function staticReason(offer: ClickOffer | null, affiliate: ClickAffiliate | null, subs: Subs, now: Date): TurnedAway | null {
  if (!offer) return { reason: 'offer_unknown' };
  if (!offer.active) return { reason: 'offer_paused' };
  if (offer.expires_at && offer.expires_at.getTime() <= now.getTime()) return { reason: 'offer_expired' };
  if (!affiliate) return { reason: 'affiliate_unknown' };
  if (!affiliate.active) return { reason: 'affiliate_inactive' };
  const blocked = offer.blocked_sub_ids;
  if (blocked && blocked.length > 0) {
    for (const [key, value] of Object.entries(subs))
      if (value !== undefined && blocked.includes(value)) return { reason: 'blocked_sub', sub: key };
  }
  return null;
}

/** Affiliate level, then offer level; undefined when the offer names no target for this click. */
export function offerTarget(offer: ClickOffer | null, affiliateId: string): TrafficbackTarget | undefined {
  const settings = offer?.trafficback;
  if (!settings) return undefined;
  return settings.affiliates?.find((a) => a.affiliate_id === affiliateId)?.target ?? settings.target;
}

/** One offer the click was turned away from, in chain order. */
export interface Hop extends TurnedAway {
  offer_id: string;
  /** Which level chose the next target: the affiliate on this offer, the offer, or the global one. */
  level: 'affiliate' | 'offer' | 'global';
}

export type ChainEnd = { kind: 'offer'; offer: ClickOffer } | { kind: 'url'; url: string } | { kind: 'blank' } | { kind: 'not_found' };

export interface Resolution {
  /** Empty when the click goes to the offer it asked for. */
  hops: Hop[];
  end: ChainEnd;
  /** Why the chain stopped early, when it did: a cycle or too many hops. */
  stopped?: 'cycle' | 'max_hops';
}

/** The reads a resolution needs; each may answer from a cache. */
export interface ChainLookups {
  offer(id: string): ClickOffer | null | Promise<ClickOffer | null>;
  /** The full cap or the duplicate click that turns this click away from a live offer, else null. */
  dynamicReason(offer: ClickOffer): TurnedAway | null | Promise<TurnedAway | null>;
  globalTarget(): TrafficbackTarget | Promise<TrafficbackTarget>;
}

/**
 * Follows the chain from the requested offer to where the click goes. The affiliate is the same
 * all the way: a fallback offer is only a target for an affiliate that may be credited with it.
 */
export async function resolveClick(
  requestedOfferId: string,
  affiliate: ClickAffiliate | null,
  affiliateId: string,
  subs: Subs,
  now: Date,
  lookups: ChainLookups,
): Promise<Resolution> {
  const hops: Hop[] = [];
  const visited = new Set<string>();
  let offerId = requestedOfferId;
  for (;;) {
    const offer = await lookups.offer(offerId);
    const turned = staticReason(offer, affiliate, subs, now) ?? (await lookups.dynamicReason(offer!));
    if (!turned) return { hops, end: { kind: 'offer', offer: offer! } };
    visited.add(offerId);
    const creditable = affiliate !== null && affiliate.active;
    let target = offerTarget(offer, affiliateId);
    let level: Hop['level'] = offer?.trafficback?.affiliates?.some((a) => a.affiliate_id === affiliateId) ? 'affiliate' : 'offer';
    // A fallback offer credits the affiliate: not one that is unknown or inactive.
    if (!target || (target.type === 'offer' && !creditable)) {
      target = await lookups.globalTarget();
      level = 'global';
    }
    hops.push({ offer_id: offerId, level, ...turned });
    if (target.type !== 'offer') return { hops, end: endOf(target) };
    let stopped: Resolution['stopped'];
    if (!creditable) stopped = undefined;
    else if (visited.has(target.offer_id)) stopped = 'cycle';
    else if (hops.length > MAX_TRAFFICBACK_HOPS) stopped = 'max_hops'; // this would be redirect number hops.length
    if (!creditable || stopped) {
      // The chain cannot take this offer: the global target ends it, unless that is an offer too.
      const global = level === 'global' ? target : await lookups.globalTarget();
      return { hops, end: global.type === 'offer' ? { kind: 'not_found' } : endOf(global), ...(stopped ? { stopped } : {}) };
    }
    offerId = target.offer_id;
  }
}

function endOf(target: Exclude<TrafficbackTarget, { type: 'offer' }>): ChainEnd {
  return target.type === 'url' ? { kind: 'url', url: target.url } : { kind: target.type };
}

/** The offers an offer's settings point at (offer level and every affiliate's). */
export function targetOffers(settings: OfferTrafficback | undefined): string[] {
  if (!settings) return [];
  const ids = [settings.target, ...(settings.affiliates ?? []).map((a) => a.target)]
    .filter((t): t is { type: 'offer'; offer_id: string } => t?.type === 'offer')
    .map((t) => t.offer_id);
  return [...new Set(ids)];
}

/**
 * Checked when an offer's (or the global) targets are saved: every chain through the saved settings
 * has no cycle and at most MAX_TRAFFICBACK_HOPS offer hops. `edges` is every offer's targets after
 * the change. Returns the offending chain (offer ids, first repeated at the end for a cycle), or null.
 */
export function chainProblem(
  edges: ReadonlyMap<string, readonly string[]>,
  /** Searched first, so a problem is reported from the offer being saved. */
  first?: string,
): { kind: 'cycle' | 'too_long'; chain: string[] } | null {
  const done = new Map<string, number>(); // offer → longest chain (in hops) that starts there
  const onPath: string[] = [];
  const longest = (id: string): number | { kind: 'cycle'; chain: string[] } => {
    const known = done.get(id);
    if (known !== undefined) return known;
    const at = onPath.indexOf(id);
    if (at >= 0) return { kind: 'cycle', chain: [...onPath.slice(at), id] };
    onPath.push(id);
    let best = 0;
    for (const next of edges.get(id) ?? []) {
      const sub = longest(next);
      if (typeof sub !== 'number') return sub;
      best = Math.max(best, sub + 1);
    }
    onPath.pop();
    done.set(id, best);
    return best;
  };
  for (const id of first === undefined ? edges.keys() : [first, ...edges.keys()]) {
    const result = longest(id);
    if (typeof result !== 'number') return result;
    if (result > MAX_TRAFFICBACK_HOPS) return { kind: 'too_long', chain: longestChain(edges, id, result) };
  }
  return null;
}

function longestChain(edges: ReadonlyMap<string, readonly string[]>, from: string, hops: number): string[] {
  const chain = [from];
  let at = from;
  const depth = (id: string): number => Math.max(0, ...(edges.get(id) ?? []).map((n) => depth(n) + 1));
  for (let left = hops; left > 0; left--) {
    const next = (edges.get(at) ?? []).find((n) => depth(n) === left - 1)!;
    chain.push(next);
    at = next;
  }
  return chain;
}
