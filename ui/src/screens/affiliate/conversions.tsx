import { useLocation } from 'preact-iso';
import { api, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { StatusBadge } from '../../components/status-badge';
import { queryString } from '../deliveries/filter';
import { timeZone, when } from '../deliveries/format';
import { useLoad } from '../deliveries/use-load';

type Status = Schemas['Conversion']['status'];
const statuses: Status[] = ['approved', 'pending', 'held', 'processing', 'rejected', 'declined', 'reversed'];

/**
 * The affiliate's conversions, newest first (GET /api/conversions, which the API confines to it),
 * with status and reasons; the filter and the page are in the URL.
 */
export function AffiliateConversions() {
  const { query, route } = useLocation();
  const status = statuses.includes(query.status as Status) ? (query.status as Status) : undefined;
  const cursor = query.cursor || undefined;
  const page = useLoad(
    () => api.GET('/api/conversions', { params: { query: { limit: 50, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } } }),
    [status, cursor],
  );
  const go = (next: { status?: string; cursor?: string }) => route(`/ui/conversions${queryString(next)}`);
  return (
    <section>
      <h1>Conversions</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="conv-status">Status</label>
        <select id="conv-status" value={status ?? ''} onChange={(e) => go({ status: e.currentTarget.value })}>
          <option value="">any</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </form>
      <p class="help">Times in {timeZone}. A reason says why a conversion was held, rejected or declined.</p>
      {page.error && <ErrorNotice>Could not read your conversions: {page.error}. Reload to try again.</ErrorNotice>}
      {!page.data && !page.error && <Loading what="your conversions" />}
      {page.data && page.data.data.length === 0 && (
        <EmptyState title={status ? `No ${status} conversions` : 'No conversions yet'}>
          <p>
            Conversions appear here when the advertiser reports a sale or lead from one of your clicks. Fire a test one from{' '}
            <a href="/ui/postbacks">Postbacks</a> to see how it looks.
          </p>
        </EmptyState>
      )}
      {page.data && page.data.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Conversion</th>
                <th scope="col">Status</th>
                <th scope="col">Reasons</th>
                <th scope="col">Offer / goal</th>
                <th scope="col" class="num">
                  Payout
                </th>
                <th scope="col">sub1</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((c) => (
                <tr key={c.id}>
                  <td>{when(c.created_at)}</td>
                  <td>
                    <a class="mono" href={`/ui/conversions/${c.id}`}>
                      {c.id}
                    </a>
                    {(c as { test?: boolean }).test && <span class="badge"> test</span>}
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{c.reason_codes.join(', ') || '—'}</td>
                  <td>
                    <span class="mono">{c.offer_id}</span> / {c.goal}
                  </td>
                  <td class="num">{c.payout === null ? '—' : `${c.payout} ${c.currency ?? ''}`}</td>
                  <td>{c.subs?.sub1 ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions">
        {cursor && (
          <a href={`/ui/conversions${queryString({ status })}`} class="button-link">
            Newest
          </a>
        )}
        {page.data?.next_cursor && <a href={`/ui/conversions${queryString({ status, cursor: page.data.next_cursor })}`}>Older</a>}
      </div>
    </section>
  );
}
