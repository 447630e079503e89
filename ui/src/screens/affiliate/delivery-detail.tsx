import { api } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { when } from '../deliveries/format';
import { useLoad } from '../deliveries/use-load';

/** Every attempt of one delivery: what was sent (method and URL, secrets masked) and what the affiliate's server answered. */
export function DeliveryDetail({ id }: { id: string }) {
  const loaded = useLoad(() => api.GET('/api/deliveries/{id}', { params: { path: { id } } }), [id]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read delivery {id}: {loaded.error}
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="its attempts" />;
  const d = loaded.data;
  if (d.attempts.length === 0) return <p>Not attempted yet{d.next_attempt_at ? `: first try ${when(d.next_attempt_at)}` : ''}.</p>;
  return (
    <ol class="attempts">
      {d.attempts.map((a) => (
        <li key={a.id}>
          <p>
            <strong>
              Run {a.run}, attempt {a.attempt}
            </strong>{' '}
            at {when(a.at)}: {a.status_code ? `HTTP ${a.status_code}` : (a.error ?? a.outcome)}
            {a.duration_ms !== undefined && ` in ${Math.round(a.duration_ms)} ms`}
            {a.next_attempt_at && `; next try ${when(a.next_attempt_at)}`}
          </p>
          <p class="help">Sent</p>
          <pre class="sent">
            {a.method} {a.request_url}
            {a.request_headers &&
              Object.entries(a.request_headers)
                .map(([k, v]) => `\n${k}: ${v}`)
                .join('')}
            {a.request_body && `\n\n${a.request_body}`}
          </pre>
          <p class="help">Your server answered</p>
          <pre class="sent">{a.response_excerpt || (a.error ? `(no answer: ${a.error})` : '(empty body)')}</pre>
        </li>
      ))}
    </ol>
  );
}
