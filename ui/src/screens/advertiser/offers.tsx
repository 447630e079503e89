import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { ActiveBadge } from '../config/parts';
import { reviewAllowed, useOwnOffers, type Offer } from './own-offers';
import { PostbackUrl } from './postback-url';

/** What a goal costs the advertiser: a fixed amount, or a share of the sale it reports. */
function cost(goal: Offer['goals'][number], currency: string): string {
  // Partners' answers are projected: an advertiser gets revenue (what it pays), never payout.
  const revenue = (goal as { revenue?: { type: string; amount: string } }).revenue;
  if (!revenue) return '—';
  return revenue.type === 'percent' ? `${revenue.amount} % of the sale` : `${revenue.amount} ${currency}`;
}

/** An advertiser's first screen: its offers, and the postback URL its server calls. */
export function AdvertiserOffersScreen() {
  const offers = useOwnOffers();
  return (
    <section class="partner-view" aria-labelledby="offers-title">
      <h1 id="offers-title">Your offers</h1>
      <PostbackUrl id="postback-url" />
      {offers.error && <ErrorNotice>Could not read your offers: {offers.error}. Reload the page to try again.</ErrorNotice>}
      {offers.loading && !offers.data && <Loading what="your offers" />}
      {offers.data && offers.offers.length === 0 && (
        <EmptyState title="No offers yet">
          <p>The network sets up your offers. Once it has, they show here with what each conversion costs.</p>
        </EmptyState>
      )}
      {offers.offers.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Your offers">
          <table>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col">Status</th>
                <th scope="col">Goals (what each conversion costs you)</th>
                <th scope="col">Review</th>
                <th scope="col">Landing page</th>
              </tr>
            </thead>
            <tbody>
              {offers.offers.map((o) => (
                <tr key={o.id}>
                  <td>
                    {o.name}
                    <br />
                    <code>{o.id}</code>
                  </td>
                  <td>
                    <ActiveBadge active={o.active} />
                  </td>
                  <td>
                    <ul class="plain">
                      {o.goals.map((g) => (
                        <li key={g.key}>
                          <code>{g.key}</code>: {cost(g, o.currency)}
                          {g.default_status === 'pending' ? ', starts pending' : ''}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>{reviewAllowed(o) ? 'you approve or decline pending conversions' : 'by the network'}</td>
                  <td class="url">{o.url}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href="/ui/conversions?status=pending">Conversions waiting for a decision</a> · <a href="/ui/postback-log">Postback log</a>: every
        call your server made, accepted or refused, and why.
      </p>
    </section>
  );
}
