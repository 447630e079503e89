import { useEffect, useState } from 'preact/hooks';
import { api, problemMessage } from '../../api/client';
import { ErrorNotice } from '../../components/notice';
import { conversionStatuses, deliveryStatuses, statusLabel } from './statuses';
import type { LiveFilters } from './use-live-stream';

type Named = { id: string; name: string };

/** Offers and affiliates by id, for the filters' choices and the rows' names. */
export function useDirectory() {
  const [offers, setOffers] = useState<Named[]>([]);
  const [affiliates, setAffiliates] = useState<Named[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    Promise.all([
      api.GET('/api/offers', { params: { query: { limit: 500 } } }),
      api.GET('/api/affiliates', { params: { query: { limit: 500 } } }),
    ])
      .then(([o, a]) => {
        if (o.error || a.error) return setError(problemMessage(o.error ?? a.error));
        const named = (list: Named[]) => list.map(({ id, name }) => ({ id, name }));
        setOffers(named(o.data.data));
        setAffiliates(named(a.data.data));
      })
      .catch((err: unknown) => setError(problemMessage(err)));
  }, []);
  const names = (list: Named[]) => new Map(list.map((x) => [x.id, x.name]));
  return { offers, affiliates, offerNames: names(offers), affiliateNames: names(affiliates), error };
}

/** A choice for the value in the URL even when the list does not hold it (a shared link, a list that failed to load). */
function Choices({ list, current, any }: { list: Named[]; current: string | undefined; any: string }) {
  return (
    <>
      <option value="">{any}</option>
      {current && !list.some((x) => x.id === current) && <option value={current}>{current}</option>}
      {list.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name} ({x.id})
        </option>
      ))}
    </>
  );
}

export function Filters(props: {
  filters: LiveFilters;
  onChange: (next: LiveFilters) => void;
  directory: ReturnType<typeof useDirectory>;
}) {
  const { filters, onChange, directory } = props;
  const set = (key: keyof LiveFilters) => (e: Event) =>
    onChange({ ...filters, [key]: (e.currentTarget as HTMLSelectElement).value || undefined });
  return (
    <>
      {directory.error && <ErrorNotice>Offers and affiliates could not be loaded for the filters: {directory.error}</ErrorNotice>}
      <form class="filters live-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="live-kind">Events</label>
          <select id="live-kind" value={filters.kind ?? ''} onChange={set('kind')}>
            <option value="">Conversions and deliveries</option>
            <option value="conversion">Conversions only</option>
            <option value="delivery">Deliveries only</option>
          </select>
        </div>
        <div>
          <label for="live-status">Status</label>
          <select id="live-status" value={filters.status ?? ''} onChange={set('status')}>
            <option value="">Any status</option>
            <optgroup label="Conversion">
              {conversionStatuses.map((s) => (
                <option key={`c-${s}`} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </optgroup>
            <optgroup label="Delivery">
              {deliveryStatuses
                .filter((s) => !(conversionStatuses as readonly string[]).includes(s))
                .map((s) => (
                  <option key={`d-${s}`} value={s}>
                    {statusLabel(s)}
                  </option>
                ))}
            </optgroup>
          </select>
        </div>
        <div>
          <label for="live-offer">Offer</label>
          <select id="live-offer" value={filters.offer_id ?? ''} onChange={set('offer_id')}>
            <Choices list={directory.offers} current={filters.offer_id} any="Any offer" />
          </select>
        </div>
        <div>
          <label for="live-affiliate">Affiliate</label>
          <select id="live-affiliate" value={filters.affiliate_id ?? ''} onChange={set('affiliate_id')}>
            <Choices list={directory.affiliates} current={filters.affiliate_id} any="Any affiliate" />
          </select>
        </div>
      </form>
    </>
  );
}
