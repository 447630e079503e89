import { useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/notice';
import { formatIn } from '../conversions/time-zone';

type Delivery = Schemas['Delivery'];

const tone: Record<Delivery['status'], string> = {
  pending: 'warn',
  delivering: 'warn',
  succeeded: 'ok',
  failed: 'bad',
  dead_lettered: 'bad',
};
const underWay = (d: Delivery) => d.status === 'pending' || d.status === 'delivering';

/**
 * The conversion's affiliate postbacks, one row per event and endpoint, with "Redeliver" (a new
 * run, the same event id). One under way cannot be redelivered: the API would answer 409.
 */
export function Deliveries(props: { deliveries: Delivery[]; zone: string; onRedelivered: () => void }) {
  const [notice, setNotice] = useState<{ ok: boolean; message: string } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();

  const redeliver = async (d: Delivery) => {
    setBusy(d.id);
    setNotice(undefined);
    try {
      const { data, error } = await api.POST('/api/deliveries/{id}/redeliver', { params: { path: { id: d.id } } });
      setNotice(
        data
          ? { ok: true, message: `Redelivery of ${d.id} started (run ${data.run}), with the same event id.` }
          : { ok: false, message: problemMessage(error) },
      );
      if (data) props.onRedelivered();
    } catch (err) {
      setNotice({ ok: false, message: problemMessage(err) });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Affiliate postbacks</h2>
      {notice && !notice.ok && <ErrorNotice>{notice.message}</ErrorNotice>}
      {notice?.ok && (
        <p class="notice" role="status">
          {notice.message}
        </p>
      )}
      {props.deliveries.length === 0 ? (
        <p class="help">
          None: no postback endpoint of this affiliate subscribes to this conversion's events. Add one under Configuration to notify the
          affiliate of later changes.
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Deliveries">
          <table>
            <thead>
              <tr>
                <th scope="col">Delivery</th>
                <th scope="col">Event</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Run
                </th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">Next attempt ({props.zone})</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.deliveries.map((d) => (
                <tr key={d.id}>
                  <td class="mono">
                    {d.id}
                    <div class="help">event id {d.event_id}</div>
                  </td>
                  <td>{d.event}</td>
                  <td class="mono">{d.endpoint_id}</td>
                  <td>
                    <span class={`badge ${tone[d.status]}`}>{d.status.replace('_', '-')}</span>
                    {d.status_reason && <div class="help">{d.status_reason}</div>}
                  </td>
                  <td class="num">{d.run}</td>
                  <td class="num">{d.attempt_count}</td>
                  <td>{d.last_status_code !== undefined ? `HTTP ${d.last_status_code}` : (d.last_error ?? '—')}</td>
                  <td>{d.next_attempt_at ? formatIn(d.next_attempt_at, props.zone) : '—'}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy !== undefined || underWay(d)}
                      title={underWay(d) ? 'still being attempted: redeliver it once it has ended' : undefined}
                      aria-label={`Redeliver ${d.id}`}
                      onClick={() => void redeliver(d)}
                    >
                      {busy === d.id ? 'Starting…' : 'Redeliver'}
                    </button>
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
