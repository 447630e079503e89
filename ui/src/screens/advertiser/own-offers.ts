import { api } from '../../api/client';
import { useLoad } from '../config/use-load';

/**
 * The advertiser's own offers (GET /api/offers answers a partner only its own), for names and
 * settings beside conversions. 500 is the API's page; an advertiser with more sees ids past it.
 */
export function useOwnOffers() {
  const loaded = useLoad(() => api.GET('/api/offers', { params: { query: { limit: 500 } } }), []);
  const offers = loaded.data?.data ?? [];
  const byId = new Map(offers.map((o) => [o.id, o]));
  return { ...loaded, offers, name: (id: string) => byId.get(id)?.name ?? id, offer: (id: string) => byId.get(id) };
}

/** One offer as GET /api/offers answers it. */
export type Offer = ReturnType<typeof useOwnOffers>['offers'][number];

/** Whether the network lets the advertiser approve or decline this offer's pending conversions; undefined when not known. */
export const reviewAllowed = (offer: Offer | undefined): boolean | undefined => offer?.advertiser_can_review;
