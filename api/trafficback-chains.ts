import { chainProblem, targetOffers, type OfferTrafficback, type TrafficbackTarget } from '../domain/trafficback';
import type { Models } from '../models';
import { ApiError } from './errors';

/**
 * The save-time half of the chain rules (the click path enforces them again at run time, since
 * two saves can race): every offer a target names exists, and no chain through the saved settings
 * loops or runs more than MAX_TRAFFICBACK_HOPS offers deep. `change` is the offer's settings as
 * they will be stored. `at` prefixes the issue paths (`trafficback` for an offer, `` for the global).
 */
export async function checkOfferChains(models: Models, offerId: string, settings: OfferTrafficback | undefined): Promise<void> {
  await requireOffers(models, targetOffers(settings), (id) => pathOf(settings, id));
  const stored = await models.Offer.find({ trafficback: { $exists: true } }, { trafficback: 1 }).lean<
    { _id: string; trafficback?: OfferTrafficback }[]
  >();
  const edges = new Map(stored.map((o) => [o._id, targetOffers(o.trafficback)]));
  edges.set(offerId, targetOffers(settings));
  const problem = chainProblem(edges, offerId);
  if (!problem) return;
  const chain = problem.chain.join(' → ');
  const message =
    problem.kind === 'cycle'
      ? `this makes a trafficback cycle: ${chain}`
      : `this makes a trafficback chain ${problem.chain.length - 1} offers deep (${chain}); at most 3 are allowed`;
  throw new ApiError(400, 'invalid_request', `trafficback: ${message}`, [
    { path: 'trafficback', code: `trafficback_${problem.kind}`, message },
  ]);
}

/** The global target: an offer it names exists (chains from an offer are checked whenever offers are saved). */
export async function checkGlobalTarget(models: Models, target: TrafficbackTarget): Promise<void> {
  if (target.type !== 'offer') return;
  await requireOffers(models, [target.offer_id], () => 'target.offer_id');
}

async function requireOffers(models: Models, ids: string[], path: (id: string) => string): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set((await models.Offer.find({ _id: { $in: ids } }, { _id: 1 }).lean<{ _id: string }[]>()).map((o) => o._id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new ApiError(
      400,
      'invalid_request',
      missing.map((id) => `${path(id)}: no offer with id "${id}"`).join('; '),
      missing.map((id) => ({ path: path(id), code: 'unknown_reference', message: `no offer with id "${id}"` })),
    );
}

function pathOf(settings: OfferTrafficback | undefined, offerId: string): string {
  const names = (t: TrafficbackTarget | undefined) => t?.type === 'offer' && t.offer_id === offerId;
  if (names(settings?.target)) return 'trafficback.target.offer_id';
  const i = settings?.affiliates?.findIndex((a) => names(a.target)) ?? -1;
  return `trafficback.affiliates.${i}.target.offer_id`;
}
