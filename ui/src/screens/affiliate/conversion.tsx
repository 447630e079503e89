import { useRoute } from 'preact-iso';
import { api } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { StatusBadge } from '../../components/status-badge';
import { useCan } from '../../session';
import { statusLabels, timeZone, when } from '../deliveries/format';
import { useLoad } from '../deliveries/use-load';
import { orMissing } from './or-missing';
import { RedeliverButton } from './redeliver';
import './affiliate.css';

/** One of the affiliate's conversions: status, reasons, payout, and the postbacks sent for it. Another's id is "not found". */
export function AffiliateConversion() {
  const { id } = useRoute().params as { id: string };
  const can = useCan();
  const loaded = useLoad(() => orMissing(api.GET('/api/conversions/{id}', { params: { path: { id } } })), [id]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read conversion {id}: {loaded.error}. Reload to try again.
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="the conversion" />;
  if (loaded.data.missing)
    return (
      <EmptyState title="Conversion not found">
        <p>
          None of your conversions has the id <code>{id}</code>. Check the id, or find it in <a href="/ui/conversions">your conversions</a>.
        </p>
      </EmptyState>
    );
  const c = loaded.data.found;
  const test = (c as { test?: boolean }).test;
  return (
    <section>
      <p>
        <a href="/ui/conversions">← Conversions</a>
      </p>
      <h1>
        Conversion <span class="mono">{c.id}</span> {test && <span class="badge">test</span>}
      </h1>
      <dl class="figures">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={c.status} />
            {c.reason_codes.length > 0 && ` because ${c.reason_codes.join(', ')}`}
          </dd>
        </div>
        <div>
          <dt>Payout</dt>
          <dd>{c.payout === null ? '—' : `${c.payout} ${c.currency ?? ''}`}</dd>
        </div>
        <div>
          <dt>Offer / goal</dt>
          <dd>
            <span class="mono">{c.offer_id}</span> / {c.goal}
          </dd>
        </div>
        <div>
          <dt>Click</dt>
          <dd class="mono">{c.click_id}</dd>
        </div>
        {Object.entries(c.subs ?? {}).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>Received</dt>
          <dd>
            {when(c.created_at)} ({timeZone})
          </dd>
        </div>
      </dl>
      <h2>Status history</h2>
      <ol>
        {c.status_history.map((h, i) => (
          <li key={i}>
            {when(h.at)}: {h.to}
            {h.reason ? ` (${h.reason})` : ''}
          </li>
        ))}
      </ol>
      <h2>Postbacks sent for it</h2>
      {c.deliveries.length === 0 ? (
        <p>
          None: no endpoint of yours takes this conversion's events. Add one on <a href="/ui/postbacks">Postbacks</a>.
        </p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Last answer</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {c.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>{d.event}</td>
                  <td>{statusLabels[d.status] ?? d.status}</td>
                  <td>{d.last_status_code ? `HTTP ${d.last_status_code}` : (d.last_error ?? '—')}</td>
                  <td class="actions">
                    <a href={`/ui/deliveries?conversion_id=${encodeURIComponent(c.id)}&open=${encodeURIComponent(d.id)}`}>What was sent</a>
                    {can('redeliver') && ['succeeded', 'failed', 'dead_lettered'].includes(d.status) && (
                      <RedeliverButton deliveryId={d.id} />
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
