import { api } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { useLoad } from '../deliveries/use-load';
import { useAffiliateId } from './use-affiliate';
import './affiliate.css';

/** The balance by state, as the API gives it (decimal strings, one row per currency, never added across). */
function Balance({ affiliateId }: { affiliateId: string }) {
  const balance = useLoad(() => api.GET('/api/affiliates/{id}/balance', { params: { path: { id: affiliateId } } }), [affiliateId]);
  if (balance.error) return <ErrorNotice>Could not read your balance: {balance.error}. Reload to try again.</ErrorNotice>;
  if (!balance.data) return <Loading what="your balance" />;
  const rows = balance.data.split;
  if (rows.length === 0) return <p>No earnings yet: once a conversion of your traffic is approved, it shows here.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Balance</caption>
        <thead>
          <tr>
            <th scope="col">Currency</th>
            <th scope="col" class="num">
              Approved (owed to you)
            </th>
            <th scope="col" class="num">
              Pending (awaiting the advertiser)
            </th>
            <th scope="col" class="num">
              Held (under review)
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.currency}>
              <th scope="row">{r.currency}</th>
              <td class="num">{r.approved}</td>
              <td class="num">
                {r.pending} <span class="help">({r.pending_conversions})</span>
              </td>
              <td class="num">
                {r.held} <span class="help">({r.held_conversions})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Clicks and conversions of the last 7 days (GET /api/reports, confined to this affiliate by the API). */
function LastWeek() {
  const report = useLoad(() => api.GET('/api/reports', { params: { query: { group_by: 'day', timezone: 'UTC' } } }), []);
  if (report.error) return <ErrorNotice>Could not read your traffic: {report.error}. Reload to try again.</ErrorNotice>;
  if (!report.data) return <Loading what="your traffic" />;
  const totals = report.data.totals;
  if (totals.length === 0 || totals.every((t) => !t.clicks && !t.conversions.total))
    return (
      <p>
        No clicks in the last 7 days. Send traffic to a tracking link from <a href="/ui/offers">your offers</a>.
      </p>
    );
  return (
    <dl class="figures">
      {totals.map((t) => (
        <div key={t.currency ?? 'none'}>
          <dt>{t.currency ?? 'Clicks'}</dt>
          <dd>
            {t.clicks ?? 0} clicks, {t.conversions.total} conversions
            {t.payout !== null && `, ${t.payout} ${t.currency} payout`}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** An affiliate's first screen: what it has earned, its recent traffic, and where to go next. */
export function AffiliateHome() {
  const affiliateId = useAffiliateId();
  return (
    <section>
      <h1>Your account</h1>
      <p class="help">
        Affiliate <code>{affiliateId}</code>. Money is shown as the network books it, per currency.
      </p>
      <Balance affiliateId={affiliateId} />
      <h2>Last 7 days (UTC)</h2>
      <LastWeek />
      <h2>Next steps</h2>
      <ul>
        <li>
          <a href="/ui/offers">Offers</a>: your tracking links, ready to copy.
        </li>
        <li>
          <a href="/ui/postbacks">Postbacks</a>: where we tell your tracker about conversions, and a test postback.
        </li>
        <li>
          <a href="/ui/conversions">Conversions</a> and the <a href="/ui/deliveries">delivery log</a>: what happened to each.
        </li>
      </ul>
    </section>
  );
}
