import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { queryString } from '../deliveries/filter';
import { timeZone, when } from '../deliveries/format';
import { isLogReason, logReasons, type LogReason, type MmpLogRow } from './mmp-form-state';
import { useLoad } from './use-load';

/** One logged postback; its button opens the raw call (query and body, the token masked) in a row below. */
function LogRow({ row }: { row: MmpLogRow }) {
  const [open, setOpen] = useState(false);
  const rawId = `mmp-raw-${row.id}`;
  return (
    <>
      <tr>
        <td class="nowrap">{when(row.received_at)}</td>
        <td>
          <span class="mono">{row.reason}</span>
          {isLogReason(row.reason) && <div class="help">{logReasons[row.reason]}</div>}
        </td>
        <td>
          {row.event ? <span class="mono">{row.event}</span> : '—'}
          {row.kind && <div class="help">{row.kind}</div>}
        </td>
        <td class="mono">{row.click_id ?? '—'}</td>
        <td>{row.detail}</td>
        <td class="nowrap">
          <button
            type="button"
            class="link"
            aria-expanded={open}
            aria-controls={rawId}
            aria-label={`${open ? 'Hide' : 'Show'} raw call of ${when(row.received_at)}`}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide raw call' : 'Show raw call'}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={rawId} class="mmp-raw">
          <td colSpan={6}>
            <pre>{JSON.stringify(row.raw, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

/**
 * An integration's log (GET /api/mmp/:id/log): the latest postbacks that made or changed no
 * conversion, newest first, with why. The reason filter stands in the URL (`?reason=…`).
 */
export function MmpLog({ integrationId }: { integrationId: string }) {
  const { path, query, route } = useLocation();
  const reason: LogReason | undefined = isLogReason(query.reason) ? query.reason : undefined;
  const [limit, setLimit] = useState(50);
  const log = useLoad(
    () => api.GET('/api/mmp/{id}/log', { params: { path: { id: integrationId }, query: { limit, ...(reason ? { reason } : {}) } } }),
    [integrationId, reason, limit],
  );
  const rows = log.data?.data ?? [];
  return (
    <section class="mmp-log" aria-labelledby="mmp-log-title">
      <h3 id="mmp-log-title">Log: postbacks that made no conversion</h3>
      <p class="help">
        What the vendor sent that made or changed no conversion, and why, kept 90 days; the vendor was answered 200 (<code>logged</code>) so
        it does not retry. Newest first; times in {timeZone}.
      </p>
      <form class="filters" aria-label="Log filter" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="mmp-log-reason">Reason</label>
          <select
            id="mmp-log-reason"
            value={reason ?? ''}
            onChange={(e) => route(`${path}${queryString({ reason: e.currentTarget.value || undefined })}`, true)}
          >
            <option value="">Every reason</option>
            {(Object.keys(logReasons) as LogReason[]).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <button type="button" class="secondary" disabled={log.loading} onClick={log.reload}>
          Refresh
        </button>
      </form>
      {log.error && <ErrorNotice>Could not read the log: {log.error}</ErrorNotice>}
      {log.loading && !log.data && <Loading what="the log" />}
      {log.data && rows.length === 0 && (
        <EmptyState title={reason ? `Nothing logged as ${reason}` : 'Nothing logged'}>
          <p>Every postback so far made or changed a conversion (or none has come yet).</p>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Logged postbacks">
          <table class="mmp-log-table">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Reason</th>
                <th scope="col">Event</th>
                <th scope="col">Click id</th>
                <th scope="col">Detail</th>
                <th scope="col">Call</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <LogRow key={row.id} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length === limit && limit < 200 && (
        <button type="button" class="secondary more" onClick={() => setLimit(200)}>
          Show the latest 200
        </button>
      )}
    </section>
  );
}
