import { useLocation } from 'preact-iso';
import { api } from '../api/client';
import { EmptyState, ErrorNotice, Loading } from '../components/notice';
import { describeTarget } from './config/trafficback-target';
import { useParties } from './conversions/parties';
import { queryString } from './deliveries/filter';
import { timeZone } from './deliveries/format';
import { useLoad } from './deliveries/use-load';
import { ClickRow, type Names } from './trafficback/click-row';
import { ReasonCounts } from './trafficback/counts';
import { isReason, reasonLabels, reasons } from './trafficback/reasons';
import './trafficback.css';

const PAGE = 50;

/**
 * Trafficback (README "Trafficback"): the clicks offers could not take, newest first, with the
 * reason and where each went; counts by reason for the last day above. The filters and the page
 * stand in the URL (`?reason=…&offer_id=…&affiliate_id=…&before=…`), so a reload or a link shows the same list.
 */
export function TrafficbackScreen() {
  const { query, route } = useLocation();
  const reason = isReason(query.reason) ? query.reason : undefined;
  const offerId = query.offer_id?.trim() || undefined;
  const affiliateId = query.affiliate_id?.trim() || undefined;
  const before = query.before?.trim() || undefined;
  const filter = { reason, offer_id: offerId, affiliate_id: affiliateId };
  const clicks = useLoad(
    () =>
      api.GET('/api/trafficback/clicks', {
        params: {
          query: {
            limit: PAGE,
            ...(reason ? { reason } : {}),
            ...(offerId ? { offer_id: offerId } : {}),
            ...(affiliateId ? { affiliate_id: affiliateId } : {}),
            ...(before ? { before } : {}),
          },
        },
      }),
    [reason, offerId, affiliateId, before],
  );
  const global = useLoad(() => api.GET('/api/trafficback', {}), []);
  const { parties, failed } = useParties();
  const names: Names = (kind, id) => parties[kind].find((p) => p.id === id)?.name;
  const offerName = (id: string) => parties.label('offers', id);

  // A new filter starts again from the newest click.
  const set = (key: 'reason' | 'offer_id' | 'affiliate_id') => (e: Event) =>
    route(`/ui/trafficback${queryString({ ...filter, [key]: (e.currentTarget as HTMLSelectElement).value || undefined })}`);
  const rows = clicks.data?.data ?? [];
  const filtered = Boolean(reason || offerId || affiliateId);

  return (
    <section aria-labelledby="tb-title">
      <h1 id="tb-title">Trafficback</h1>
      <p class="help">
        Clicks an offer could not take (paused, expired, capped, a blocked sub id, a duplicate, an unknown or inactive offer or affiliate),
        newest first, and where each went instead. Times are in {timeZone}.
        {global.data && (
          <>
            {' '}
            Where no offer names a target they go to {describeTarget(global.data.target, offerName)} (the{' '}
            <a href="/ui/config">global target</a>).
          </>
        )}
      </p>
      <ReasonCounts reason={reason} offerId={offerId} offerName={offerId ? names('offers', offerId) : undefined} />
      {failed && <ErrorNotice>Offers and affiliates could not be loaded: the list shows ids instead of names.</ErrorNotice>}
      <form class="filters tb-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="tb-reason">Reason</label>
          <select id="tb-reason" value={reason ?? ''} onChange={set('reason')}>
            <option value="">Every reason</option>
            {reasons.map((r) => (
              <option key={r} value={r}>
                {reasonLabels[r]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="tb-offer">Offer asked for</label>
          <select id="tb-offer" value={offerId ?? ''} onChange={set('offer_id')}>
            <option value="">Every offer</option>
            {offerId && !parties.offers.some((o) => o.id === offerId) && <option value={offerId}>{offerId}</option>}
            {parties.offers.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
                {o.active ? '' : ' (inactive)'} · {o.id}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="tb-affiliate">Affiliate</label>
          <select id="tb-affiliate" value={affiliateId ?? ''} onChange={set('affiliate_id')}>
            <option value="">Every affiliate</option>
            {affiliateId && !parties.affiliates.some((a) => a.id === affiliateId) && <option value={affiliateId}>{affiliateId}</option>}
            {parties.affiliates.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
                {a.active ? '' : ' (inactive)'} · {a.id}
              </option>
            ))}
          </select>
        </div>
        {filtered && <a href="/ui/trafficback">Clear filters</a>}
      </form>
      {clicks.error && (
        <ErrorNotice>
          The clicks could not be loaded: {clicks.error}. <a href="/ui/trafficback">Start again from the newest</a>.
        </ErrorNotice>
      )}
      {clicks.loading && !clicks.data && <Loading what="trafficback clicks" />}
      {clicks.data && rows.length === 0 && (
        <EmptyState title={before ? 'No older clicks' : filtered ? 'No trafficback clicks match' : 'No trafficback clicks yet'}>
          <p>
            A click shows up here when its offer cannot take it: pause an offer, let a cap fill, or set an expiry, blocked sub ids or a
            duplicate-click window in the offer's Trafficback section.
          </p>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Trafficback clicks table">
          <table class="tb-table">
            <caption>Newest first{before ? ', older than the last page' : ''}. Open a click for its chain, sub ids and IP.</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Reason</th>
                <th scope="col">Offer asked for</th>
                <th scope="col">Affiliate</th>
                <th scope="col">Went to</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((click) => (
                <ClickRow key={click.id} click={click} names={names} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="tb-pages" aria-label="Pages">
        {before && <a href={`/ui/trafficback${queryString(filter)}`}>Newest</a>}
        {clicks.data?.next_before && <a href={`/ui/trafficback${queryString({ ...filter, before: clicks.data.next_before })}`}>Older</a>}
      </nav>
    </section>
  );
}
