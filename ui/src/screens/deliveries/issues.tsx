import { useEffect, useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { errorClassLabels, statusLabels, when } from './format';
import { queryString, type DeliveryFilter } from './filter';

type Issue = Schemas['DeliveryIssue'];
type Recent = Issue['recent'][number];

const POLL_MS = 500;
type Outcome = { ok: boolean; text: string };
const POLL_FOR_MS = 60_000;

/** Redeliver one, then follow that run until it ends, so the result shows where the button was. */
function RedeliverOne({ delivery, onEnded }: { delivery: Recent; onEnded: (outcome: Outcome) => void }) {
  const [state, setState] = useState<{ kind: 'idle' | 'running' | 'succeeded' | 'failed'; text?: string }>({ kind: 'idle' });
  useEffect(() => {
    if (state.kind !== 'running') return;
    const deadline = Date.now() + POLL_FOR_MS;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const { data } = await api.GET('/api/deliveries/{id}', { params: { path: { id: delivery.id } } });
      if (data && (data.status === 'succeeded' || data.status === 'failed' || data.status === 'dead_lettered')) {
        const last = data.attempts[data.attempts.length - 1];
        const ended: Outcome =
          data.status === 'succeeded'
            ? { ok: true, text: `Delivered (HTTP ${last?.status_code ?? '2xx'})` }
            : { ok: false, text: `Failed again: ${last?.status_code ? `HTTP ${last.status_code}` : (last?.error ?? data.status_reason)}` };
        setState({ kind: ended.ok ? 'succeeded' : 'failed', text: ended.text });
        onEnded({ ...ended, text: `${delivery.id} (conversion ${delivery.conversion_id}): ${ended.text}` });
      } else if (Date.now() < deadline) timer = setTimeout(() => void poll(), POLL_MS);
      else setState({ kind: 'failed', text: 'Still being attempted: see its conversion page for the next retry' });
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => clearTimeout(timer);
  }, [state.kind]);

  const start = async () => {
    setState({ kind: 'running', text: 'Redelivering…' });
    const { error } = await api
      .POST('/api/deliveries/{id}/redeliver', { params: { path: { id: delivery.id } } })
      .catch((err) => ({ error: err }));
    if (error) setState({ kind: 'failed', text: problemMessage(error) });
  };
  if (state.kind === 'idle')
    return (
      <button type="button" class="secondary" onClick={() => void start()} aria-label={`Redeliver ${delivery.id}`}>
        Redeliver
      </button>
    );
  const cls = state.kind === 'succeeded' ? 'ok' : state.kind === 'failed' ? 'bad' : '';
  return (
    <span role="status" class={`badge ${cls}`}>
      {state.text}
    </span>
  );
}

function IssueRow({ issue, query, onEnded }: { issue: Issue; query: Record<string, string>; onEnded: (outcome: Outcome) => void }) {
  const [open, setOpen] = useState(false);
  const only = { ...query, endpoint_id: issue.endpoint_id, error_class: issue.error_class, status: issue.status };
  const detailsId = `issue-${issue.endpoint_id}-${issue.error_class}-${issue.status}`;
  return (
    <>
      <tr>
        <td>
          <strong>{errorClassLabels[issue.error_class] ?? issue.error_class}</strong>
          <div class="help">{statusLabels[issue.status]}</div>
        </td>
        <td>
          {issue.endpoint_host ?? issue.endpoint_id}
          <div class="help mono">
            {issue.endpoint_id} · {issue.affiliate_id}
          </div>
        </td>
        <td class="num">{issue.count}</td>
        <td>
          {when(issue.first_seen)}
          <br />
          {when(issue.last_seen)}
        </td>
        <td class="mono last-error">{issue.last_error}</td>
        <td class="actions">
          <a href={`/ui/deliveries${queryString(only)}`}>Filter to this issue</a>
          <button type="button" class="link" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'} newest {issue.recent.length}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId} class="issue-details">
          <td colSpan={6}>
            <ul class="recent">
              {issue.recent.map((d) => (
                <li key={d.id}>
                  <a href={`/ui/conversions/${d.conversion_id}`}>{d.conversion_id}</a> <span class="mono help">{d.id}</span>{' '}
                  <span class="help">{when(d.failed_at)}</span> <RedeliverOne delivery={d} onEnded={onEnded} />
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}

/** Failed and dead-lettered deliveries grouped by (endpoint, error class, status), biggest first. */
export function Issues({
  data,
  error,
  loading,
  filter,
  query,
  onChanged,
}: {
  data?: Schemas['DeliveryIssues'];
  error?: string;
  loading: boolean;
  filter: DeliveryFilter;
  query: Record<string, string>;
  onChanged: () => void;
}) {
  // The issues route groups every undelivered status and class; the list shows what the filter (and so the bulk action) covers.
  const shown = data?.data.filter((i) => i.status === filter.status && (!filter.error_class || i.error_class === filter.error_class)) ?? [];
  const elsewhere = (data?.data.length ?? 0) - shown.length;
  // A single redelivery's result stays here after the list is reloaded without it.
  const [outcome, setOutcome] = useState<Outcome>();
  const ended = (o: Outcome) => {
    setOutcome(o);
    onChanged();
  };
  return (
    <section aria-labelledby="issues-title">
      <h2 id="issues-title">Issues</h2>
      <p role="status" class={outcome ? `notice ${outcome.ok ? '' : 'error'}` : 'visually-hidden'}>
        {outcome && `Redelivery of ${outcome.text}`}
      </p>
      {error && <ErrorNotice>Could not load the issues: {error}. Reload the page to try again.</ErrorNotice>}
      {loading && !data && <Loading what="issues" />}
      {data?.truncated && <p class="notice">Counted over the oldest {data.scanned} undelivered deliveries only: narrow the filter.</p>}
      {data && shown.length === 0 && (
        <EmptyState title={`No ${filter.status === 'failed' ? 'failed' : 'dead-lettered'} deliveries match this filter`}>
          <p>
            {elsewhere > 0
              ? `${elsewhere} other issue${elsewhere === 1 ? '' : 's'} match with another status or error class: change the filter above.`
              : 'Every postback that matches was delivered. Failures show up here grouped by endpoint and cause.'}
          </p>
        </EmptyState>
      )}
      {shown.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Issues table">
          <table>
            <thead>
              <tr>
                <th scope="col">Cause</th>
                <th scope="col">Endpoint</th>
                <th scope="col" class="num">
                  Deliveries
                </th>
                <th scope="col">First / last seen</th>
                <th scope="col">Last error</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((issue) => (
                <IssueRow key={`${issue.endpoint_id}/${issue.error_class}/${issue.status}`} issue={issue} query={query} onEnded={ended} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
