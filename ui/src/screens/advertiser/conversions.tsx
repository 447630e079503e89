import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { StatusBadge } from '../../components/status-badge';
import { browserZone, formatIn } from '../conversions/time-zone';
import { useOwnOffers } from './own-offers';

type Conversion = Schemas['Conversion'];
type Status = Conversion['status'];
const statuses: Status[] = ['pending', 'approved', 'declined', 'held', 'rejected', 'reversed', 'processing'];

/** The filters stand in the URL (?status=pending&offer_id=…&q=…), so a reload or a shared link shows the same list. */
interface Filters {
  status?: Status;
  offer_id?: string;
  q?: string;
}
const fromQuery = (query: Record<string, string>): Filters => ({
  ...(statuses.includes(query.status as Status) ? { status: query.status as Status } : {}),
  ...(query.offer_id ? { offer_id: query.offer_id } : {}),
  ...(query.q ? { q: query.q } : {}),
});
const toUrl = (f: Filters) => {
  const params = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
  return `/ui/conversions${params.size > 0 ? `?${params}` : ''}`;
};

/** Money exactly as the API gives it (decimal strings), with its currency. */
const money = (value: string | null | undefined, currency: string | undefined) => (value ? `${value} ${currency ?? ''}`.trim() : '—');

/** An advertiser's conversions and their receipts: status and reason codes, newest first, 50 a page. */
export function AdvertiserConversionsScreen() {
  const { query, url, route } = useLocation();
  const filters = fromQuery(query);
  const offers = useOwnOffers();
  const zone = browserZone();
  // The rows are tagged with the URL (the filters) they were read for, so a filter change never shows the last filter's rows.
  const [page, setPage] = useState<{ url: string; rows: Conversion[]; cursor: string | null }>({ url: '', rows: [], cursor: null });
  const latest = useRef(url);
  latest.current = url;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(true);
  const current = page.url === url;
  const rows = current ? page.rows : [];
  const cursor = current ? page.cursor : null;
  const loading = busy || (!current && !error);

  const load = async (after?: string) => {
    const forUrl = url;
    setBusy(true);
    try {
      const { data, error: problem } = await api.GET('/api/conversions', {
        params: { query: { ...filters, limit: 50, ...(after ? { cursor: after } : {}) } },
      });
      if (latest.current !== forUrl) return;
      if (!data) return setError(problemMessage(problem));
      setError(undefined);
      setPage((p) => ({
        url: forUrl,
        rows: after && p.url === forUrl ? [...p.rows, ...data.data] : data.data,
        cursor: data.next_cursor ?? null,
      }));
    } catch (err) {
      if (latest.current === forUrl) setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => void load(), [url]);

  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    route(toUrl(fromQuery(Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v).trim()])))));
  };

  return (
    <section class="partner-view" aria-labelledby="conversions-title">
      <h1 id="conversions-title">Your conversions</h1>
      <p class="help">
        Every conversion your postbacks made, with what became of it (its receipt): the status now and, when it was rejected or held, the
        reason codes. Times are in {zone}.
      </p>
      <form class="filters" onSubmit={submit} aria-label="Filter conversions" key={url}>
        <div>
          <label for="f-status">Status</label>
          <select id="f-status" name="status" value={filters.status ?? ''}>
            <option value="">any</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-offer">Offer</label>
          <select id="f-offer" name="offer_id" value={filters.offer_id ?? ''}>
            <option value="">any</option>
            {offers.offers.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-q">Conversion, click or your txid</label>
          <input id="f-q" name="q" value={filters.q ?? ''} spellcheck={false} />
        </div>
        <button type="submit">Show</button>
      </form>
      {error && <ErrorNotice>Could not read your conversions: {error}. Change the filters or reload the page.</ErrorNotice>}
      {loading && rows.length === 0 && <Loading what="your conversions" />}
      {!loading && !error && rows.length === 0 && (
        <EmptyState title={Object.keys(filters).length > 0 ? 'No conversion matches these filters' : 'No conversions yet'}>
          {Object.keys(filters).length > 0 ? (
            <p>
              <a href="/ui/conversions">Show all your conversions</a>.
            </p>
          ) : (
            <p>
              Each call of <a href="/ui/">your postback URL</a> with a click id makes one. A call that was refused is in the{' '}
              <a href="/ui/postback-log">postback log</a>, with why.
            </p>
          )}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Your conversions">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Conversion</th>
                <th scope="col">Status</th>
                <th scope="col">Reason codes</th>
                <th scope="col">Offer</th>
                <th scope="col">Goal</th>
                <th scope="col">Your txid</th>
                <th scope="col" class="num">
                  Sale
                </th>
                <th scope="col" class="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td class="nowrap">{formatIn(c.created_at, zone)}</td>
                  <td>
                    <a class="mono" href={`/ui/conversions/${encodeURIComponent(c.id)}`}>
                      {c.id}
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{c.reason_codes.join(', ')}</td>
                  <td>{offers.name(c.offer_id)}</td>
                  <td>{c.goal}</td>
                  <td class="mono">{c.txid ?? ''}</td>
                  <td class="num nowrap">{money(c.amount, c.currency)}</td>
                  <td class="num nowrap">{money(c.revenue, c.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="secondary more" disabled={loading} onClick={() => void load(cursor)}>
          Show older conversions
        </button>
      )}
    </section>
  );
}
