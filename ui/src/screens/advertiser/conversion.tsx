import { useRoute } from 'preact-iso';
import { api } from '../../api/client';
import { EmptyState, Loading } from '../../components/notice';
import { StatusBadge } from '../../components/status-badge';
import { useLoad } from '../config/use-load';
import { browserZone, formatIn } from '../conversions/time-zone';
import { ConversionReview } from './review';
import { useOwnOffers } from './own-offers';

const money = (value: string | null | undefined, currency: string | undefined) => (value ? `${value} ${currency ?? ''}`.trim() : '—');

/** One of the advertiser's conversions: what it is, its receipt, its status history, and a decision where the offer allows one. */
export function AdvertiserConversionScreen() {
  const { id } = useRoute().params as { id: string };
  const conversion = useLoad(() => api.GET('/api/conversions/{id}', { params: { path: { id } } }), [id]);
  const offers = useOwnOffers();
  const zone = browserZone();
  if (conversion.error)
    return (
      <EmptyState title="Conversion not found">
        <p>
          None of your conversions has the id <code>{id}</code> ({conversion.error}). Check it, or look for your transaction id among{' '}
          <a href="/ui/conversions">your conversions</a>.
        </p>
      </EmptyState>
    );
  const c = conversion.data;
  if (!c) return <Loading what="the conversion" />;
  return (
    <section class="partner-view" aria-labelledby="conversion-title">
      <p class="back">
        <a href="/ui/conversions">← Your conversions</a>
      </p>
      <h1 id="conversion-title">
        Conversion <span class="mono">{c.id}</span>
      </h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={c.status} />
          {c.reason_codes.length > 0 && <> because of {c.reason_codes.join(', ')}</>}
        </dd>
        <dt>Offer</dt>
        <dd>{offers.name(c.offer_id)}</dd>
        <dt>Goal</dt>
        <dd>{c.goal}</dd>
        <dt>Your transaction id</dt>
        <dd class="mono">{c.txid ?? '—'}</dd>
        <dt>Sale amount</dt>
        <dd>{money(c.amount, c.currency)}</dd>
        <dt>Cost to you</dt>
        <dd>{money(c.revenue, c.currency)}</dd>
        <dt>Click</dt>
        <dd class="mono">{c.click_id}</dd>
        <dt>Received ({zone})</dt>
        <dd>{formatIn(c.created_at, zone)}</dd>
        <dt>Last changed</dt>
        <dd>{formatIn(c.updated_at, zone)}</dd>
      </dl>
      {offers.data && <ConversionReview conversion={c} offer={offers.offer(c.offer_id)} onChanged={conversion.reload} />}
      <h2>Status history</h2>
      {c.status_history.length === 0 ? (
        <p>No change since it was received.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Status history">
          <table>
            <thead>
              <tr>
                <th scope="col">When ({zone})</th>
                <th scope="col">Change</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {c.status_history.map((h) => (
                <tr key={h.seq}>
                  <td class="nowrap">{formatIn(h.at, zone)}</td>
                  <td>
                    {h.from} → {h.to}
                  </td>
                  <td>{h.actor ?? ''}</td>
                  <td>{h.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="help">
        Your server can ask for the same receipt with your token: <code>GET /postback/status?conversion_id={c.id}&amp;token=…</code>.
      </p>
    </section>
  );
}
