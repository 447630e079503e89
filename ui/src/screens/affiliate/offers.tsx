import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { CopyField } from '../config/copy-field';
import { useLoad } from '../deliveries/use-load';
import { useAffiliateId } from './use-affiliate';
import './affiliate.css';

type Offer = Schemas['AffiliateOffer'];

const payoutText = (p: Offer['goals'][number]['payout'], currency: string) =>
  p.type === 'fixed' ? `${p.amount} ${currency}` : `${p.amount} % of the sale`;

/** The tracking link with as many sub-id placeholders as the affiliate wants, from the parameters the click route takes. */
function OfferLink({ offer }: { offer: Offer }) {
  const [subs, setSubs] = useState(1);
  const params = offer.sub_params.slice(0, subs);
  const url = offer.tracking_url + params.map((p) => `&${p}={${p}}`).join('');
  const selectId = `subs-${offer.id}`;
  return (
    <>
      <div class="field">
        <label for={selectId}>Sub id placeholders</label>
        <select id={selectId} value={String(subs)} onChange={(e) => setSubs(Number(e.currentTarget.value))}>
          {Array.from({ length: offer.sub_params.length + 1 }, (_, n) => (
            <option key={n} value={String(n)}>
              {n === 0 ? 'none' : offer.sub_params.slice(0, n).join(', ')}
            </option>
          ))}
        </select>
      </div>
      <CopyField
        id={`link-${offer.id}`}
        label={`Tracking link for ${offer.name}`}
        value={url}
        help="Send visitors here: the click is recorded and they go on to the offer's page. Replace each {subN} with your own value."
      />
    </>
  );
}

/** What the placeholders in a tracking link mean (the click route's sub ids). */
function MacroHelp({ subParams }: { subParams: string[] }) {
  return (
    <details>
      <summary>What the placeholders mean</summary>
      <dl class="macros">
        <dt>offer_id, aff_id</dt>
        <dd>Which offer and which affiliate (you): keep them as they are.</dd>
        {subParams.map((p) => (
          <div key={p}>
            <dt>{`{${p}}`}</dt>
            <dd>
              Your own value, up to 500 characters (a campaign, placement or your click id). It is kept with the click and comes back in
              your postbacks as the <code>{`{${p}}`}</code> macro.
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function AffiliateOffers() {
  const affiliateId = useAffiliateId();
  const offers = useLoad(() => api.GET('/api/affiliates/{id}/offers', { params: { path: { id: affiliateId } } }), [affiliateId]);
  if (offers.error) return <ErrorNotice>Could not read your offers: {offers.error}. Reload to try again.</ErrorNotice>;
  if (!offers.data) return <Loading what="your offers" />;
  const list = offers.data.data;
  return (
    <section>
      <h1>Offers</h1>
      {list.length === 0 ? (
        <EmptyState title="No active offers">
          <p>The network has no offer running for you right now. Ask your affiliate manager which offers you can promote.</p>
        </EmptyState>
      ) : (
        <>
          <MacroHelp subParams={list[0]!.sub_params} />
          {list.map((offer) => (
            <article key={offer.id} class="offer-card" aria-labelledby={`offer-${offer.id}`}>
              <h2 id={`offer-${offer.id}`}>{offer.name}</h2>
              <p class="help">
                <code>{offer.id}</code> · {offer.currency} · conversions count up to {offer.attribution_window_hours} h after the click
              </p>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Goal</th>
                      <th scope="col">Your payout</th>
                      <th scope="col">Starts as</th>
                    </tr>
                  </thead>
                  <tbody>
                    {offer.goals.map((g) => (
                      <tr key={g.key}>
                        <td>
                          {g.name ?? g.key}
                          {g.key === offer.default_goal && <span class="help"> (default)</span>}
                        </td>
                        <td>{payoutText(g.payout, offer.currency)}</td>
                        <td>
                          {g.default_status === 'pending' ? 'pending until the advertiser approves' : 'approved'}
                          {g.hold_hours ? `, held ${g.hold_hours} h` : ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <OfferLink offer={offer} />
            </article>
          ))}
        </>
      )}
    </section>
  );
}
