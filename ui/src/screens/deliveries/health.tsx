import { api, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { errorClassLabels, relative, when } from './format';
import { queryString } from './filter';
import { useLoad } from './use-load';

type Health = Schemas['EndpointHealth'];

export const windows = [
  { hours: 1, label: 'last hour' },
  { hours: 24, label: 'last 24 hours' },
  { hours: 168, label: 'last 7 days' },
];

function State({ e }: { e: Health }) {
  if (!e.active) return <span class="badge bad">Deactivated{e.deactivated_reason ? `: ${e.deactivated_reason}` : ''}</span>;
  if (e.paused && e.paused_until)
    return (
      <span class="badge warn" title={`${e.consecutive_failures} failures in a row`}>
        Paused, resumes {when(e.paused_until)} ({relative(e.paused_until)})
      </span>
    );
  return <span class="badge ok">Sending</span>;
}

function rate(e: Health) {
  if (e.success_rate === null) return '—';
  const percent = (e.success_rate * 100).toFixed(1).replace(/\.0$/, '');
  const cls = e.success_rate >= 0.95 ? 'ok' : e.success_rate >= 0.5 ? 'warn' : 'bad';
  return <span class={`badge ${cls}`}>{percent} %</span>;
}

/** Success rate of each endpoint's attempts in the window, its last error and its breaker. */
export function EndpointHealth({ hours, affiliateId, query }: { hours: number; affiliateId?: string; query: Record<string, string> }) {
  const { data, error, loading } = useLoad(
    () =>
      api.GET('/api/delivery-health', {
        params: { query: { window_hours: hours, ...(affiliateId ? { affiliate_id: affiliateId } : {}) } },
      }),
    [hours, affiliateId],
  );
  return (
    <section aria-labelledby="health-title">
      <h2 id="health-title">Endpoint health</h2>
      <nav class="window-links" aria-label="Health window">
        {windows.map((w) => (
          <a
            key={w.hours}
            href={`/ui/deliveries${queryString({ ...query, window: w.hours })}`}
            aria-current={w.hours === hours ? 'true' : undefined}
          >
            {w.label}
          </a>
        ))}
      </nav>
      {error && <ErrorNotice>Could not load endpoint health: {error}. Reload the page to try again.</ErrorNotice>}
      {loading && !data && <Loading what="endpoint health" />}
      {data && data.data.length === 0 && (
        <EmptyState title="No endpoint made an attempt in this window">
          <p>Pick a longer window above; endpoints appear here once postbacks are sent to them.</p>
        </EmptyState>
      )}
      {data && data.data.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Endpoint health table">
          <table>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">State</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col" class="num">
                  Success
                </th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((e) => (
                <tr key={e.endpoint_id}>
                  <td>
                    <a href={`/ui/deliveries${queryString({ ...query, endpoint_id: e.endpoint_id })}`}>
                      {e.endpoint_host ?? e.endpoint_id}
                    </a>
                    <div class="help mono">
                      {e.endpoint_id} · {e.affiliate_id}
                    </div>
                  </td>
                  <td>
                    <State e={e} />
                  </td>
                  <td class="num">{e.attempts}</td>
                  <td class="num">{rate(e)}</td>
                  <td>
                    {e.last_error ? (
                      <>
                        {errorClassLabels[e.last_error.error_class] ?? e.last_error.error_class}:{' '}
                        <span class="mono">{e.last_error.message}</span>
                        <div class="help">{when(e.last_error.at)}</div>
                      </>
                    ) : (
                      'none'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
