import { useState } from 'preact/hooks';
import { api, fieldErrors, problemMessage } from '../../api/client';
import type { paths } from '../../api/schema';
import { ErrorNotice } from '../../components/notice';

type Body = NonNullable<paths['/api/conversions/{id}/status']['post']['requestBody']>['content']['application/json'];
const choices = ['approved', 'pending', 'declined', 'reversed'] as const satisfies Body['status'][];

/**
 * Ops' status change (POST /api/conversions/{id}/status). Which changes are legal is the
 * workflow's decision: an illegal one comes back as a 409 whose message is shown as it is.
 */
export function StatusForm(props: { id: string; current: string; onChanged: () => void }) {
  const [status, setStatus] = useState<Body['status']>(props.current === 'approved' ? 'reversed' : 'approved');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string; field?: string } | undefined>();

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setOutcome(undefined);
    try {
      const { data, error } = await api.POST('/api/conversions/{id}/status', {
        params: { path: { id: props.id } },
        body: { status, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      });
      if (data) {
        setOutcome({
          ok: true,
          message: data.changed ? `Status changed to ${data.status}.` : `The conversion was already ${data.status}.`,
        });
        setReason('');
        props.onChanged();
      } else setOutcome({ ok: false, message: problemMessage(error), field: fieldErrors(error).reason });
    } catch (err) {
      setOutcome({ ok: false, message: problemMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="status-form" onSubmit={submit} aria-labelledby="status-form-title">
      <h2 id="status-form-title">Change status</h2>
      <div class="row">
        <div>
          <label for="new-status">New status</label>
          <select id="new-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as Body['status'])}>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div class="grow">
          <label for="status-reason">Reason (kept in the history)</label>
          <input
            id="status-reason"
            type="text"
            maxLength={500}
            value={reason}
            aria-invalid={outcome?.field ? 'true' : undefined}
            aria-describedby={outcome?.field ? 'status-reason-error' : undefined}
            onInput={(e) => setReason(e.currentTarget.value)}
            placeholder="e.g. chargeback 2026-11-30"
          />
          {outcome?.field && (
            <p class="field-error" id="status-reason-error">
              {outcome.field}
            </p>
          )}
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Changing…' : `Change to ${status}`}
        </button>
      </div>
      {outcome && !outcome.ok && <ErrorNotice>{outcome.message}</ErrorNotice>}
      {outcome?.ok && (
        <p class="notice" role="status">
          {outcome.message}
        </p>
      )}
    </form>
  );
}
