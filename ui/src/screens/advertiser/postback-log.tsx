import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { browserZone, formatIn } from '../conversions/time-zone';

type Entry = Schemas['IngressLogEntry'];

/** The result codes an advertiser meets most, in the order it would look for them. */
const results = [
  { value: 'accepted', label: 'accepted (a new conversion)' },
  { value: 'duplicate', label: 'duplicate (seen before)' },
  { value: 'status_update', label: 'status_update' },
  { value: 'ok', label: 'ok (a receipt read)' },
  { value: 'invalid_token', label: 'invalid_token' },
  { value: 'missing_token', label: 'missing_token' },
  { value: 'unknown_click', label: 'unknown_click' },
  { value: 'invalid_request', label: 'invalid_request' },
  { value: 'unknown_goal', label: 'unknown_goal' },
  { value: 'ip_not_allowed', label: 'ip_not_allowed' },
  { value: 'illegal_transition', label: 'illegal_transition' },
  { value: 'rate_limited', label: 'rate_limited' },
];

/** What a call that was not refused did, in words (a refused one has the API's message). */
const outcome: Record<string, string> = {
  accepted: 'a new conversion',
  duplicate: 'seen before: the same conversion',
  status_update: 'a status update',
  ok: 'a receipt read',
};

const paramText = (v: string | string[]) => (Array.isArray(v) ? v.join(', ') : v);

/**
 * The advertiser's postback log: every call its server made to /postback and /postback/status,
 * accepted or refused, with the answer it got and why. Refused calls with a wrong token are
 * here too when their click was one of its own.
 */
export function PostbackLogScreen() {
  const { query, url, route } = useLocation();
  const result = results.some((r) => r.value === query.result) ? query.result : undefined;
  const zone = browserZone();
  // The rows are tagged with the URL (the filters) they were read for, so a filter change never shows the last filter's rows.
  const [page, setPage] = useState<{ url: string; rows: Entry[]; cursor: string | null }>({ url: '', rows: [], cursor: null });
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
      const { data, error: problem } = await api.GET('/api/ingress-log', {
        params: { query: { limit: 50, ...(result ? { result } : {}), ...(after ? { cursor: after } : {}) } },
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

  return (
    <section class="partner-view" aria-labelledby="log-title">
      <h1 id="log-title">Postback log</h1>
      <p class="help">
        Every call your server made to your postback URL (and to <code>/postback/status</code>), newest first: what it sent (your token
        masked), the HTTP status and result it got, and the conversion it made. A refused call says why, so you can fix it and send it
        again. Calls are kept for a limited time. Times are in {zone}.
      </p>
      <form class="filters" aria-label="Filter the log" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="log-result">Result</label>
          <select
            id="log-result"
            value={result ?? ''}
            onChange={(e) => route(`/ui/postback-log${e.currentTarget.value ? `?result=${e.currentTarget.value}` : ''}`)}
          >
            <option value="">any</option>
            {results.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {error && <ErrorNotice>Could not read the log: {error}. Reload the page to try again.</ErrorNotice>}
      {loading && rows.length === 0 && <Loading what="the postback log" />}
      {!loading && !error && rows.length === 0 && (
        <EmptyState title={result ? `No call answered ${result}` : 'No postbacks yet'}>
          <p>
            {result ? (
              <a href="/ui/postback-log">Show every call</a>
            ) : (
              <>
                Calls of <a href="/ui/">your postback URL</a> show here within a moment of arriving.
              </>
            )}
          </p>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Postback calls">
          <table class="postback-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Answer</th>
                <th scope="col">Why</th>
                <th scope="col">Conversion</th>
                <th scope="col">Call</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td class="nowrap" data-label="When">
                    {formatIn(r.at, zone)}
                  </td>
                  <td class="nowrap" data-label="Answer">
                    <span class={`badge ${r.http_status < 300 ? 'ok' : r.http_status === 429 ? 'warn' : 'bad'}`}>{r.http_status}</span>{' '}
                    <code>{r.result}</code>
                  </td>
                  <td data-label="Why">{r.message ?? outcome[r.result] ?? ''}</td>
                  <td data-label="Conversion">
                    {r.conversion_id ? (
                      <a class="mono" href={`/ui/conversions/${encodeURIComponent(r.conversion_id)}`}>
                        {r.conversion_id}
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="Call">
                    <details>
                      <summary>
                        {r.method} {r.route}
                      </summary>
                      <dl class="params">
                        {r.params.map((p) => (
                          <div key={p.name}>
                            <dt>{p.name}</dt>
                            <dd class="mono">{paramText(p.value)}</dd>
                          </div>
                        ))}
                        {r.ip && (
                          <div>
                            <dt>from IP</dt>
                            <dd class="mono">{r.ip}</dd>
                          </div>
                        )}
                      </dl>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="secondary more" disabled={loading} onClick={() => void load(cursor)}>
          Show older calls
        </button>
      )}
    </section>
  );
}
