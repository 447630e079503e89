import { useState } from 'preact/hooks';
import { api, problemMessage } from '../../api/client';
import { useCan } from '../../session';
import { CopyField } from '../config/copy-field';
import { when } from '../deliveries/format';
import type { Endpoint } from './endpoint-form';

type Rotated = { signing_secret: string; rotation_overlap_until: string | null };

/** Pause (deliveries wait, none is lost) and resume: the affiliate's own switch, apart from the breaker's rests. */
export function PauseControl({ endpoint, onChange }: { endpoint: Endpoint; onChange: (e: Endpoint, notice: string) => void }) {
  const can = useCan();
  const [problem, setProblem] = useState<string>();
  if (!can('manage_endpoints') || !endpoint.active) return null;
  const paused = endpoint.paused;
  const toggle = async () => {
    setProblem(undefined);
    const path = { params: { path: { id: endpoint.id } } };
    const { data, error } = await (
      paused ? api.POST('/api/postbacks/{id}/resume', path) : api.POST('/api/postbacks/{id}/pause', path)
    ).catch((err: unknown) => ({ data: undefined, error: err }));
    if (data)
      onChange(data, paused ? 'Resumed: waiting postbacks are sent now.' : 'Paused: postbacks wait (none is lost) until you resume.');
    else setProblem(problemMessage(error));
  };
  return (
    <>
      <button type="button" class="secondary" onClick={() => void toggle()}>
        {paused ? 'Resume endpoint' : 'Pause endpoint'}
      </button>
      {problem && (
        <span role="alert" class="field-error">
          {problem}
        </span>
      )}
    </>
  );
}

/**
 * A new signing secret, shown once. During the overlap each postback carries both signatures
 * (Standard Webhooks allows several in one header), so the receiver can switch without a failure.
 */
export function SecretRotation({ endpoint, onRotated }: { endpoint: Endpoint; onRotated: () => void }) {
  const can = useCan();
  const [rotated, setRotated] = useState<Rotated>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!can('rotate_secrets') || !endpoint.active) return null;
  const rotate = async () => {
    const first = !endpoint.signing_secret_set;
    if (!first && !window.confirm('Make a new signing secret? The current one keeps signing beside it for 24 hours.')) return;
    setBusy(true);
    setProblem(undefined);
    const { data, error } = await api
      .POST('/api/postbacks/{id}/secret/rotate', { params: { path: { id: endpoint.id } }, body: { overlap_hours: 24 } })
      .catch((err: unknown) => ({ data: undefined, error: err }));
    setBusy(false);
    if (data) {
      setRotated(data);
      onRotated();
    } else setProblem(problemMessage(error));
  };
  return (
    <section aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p class="help">
        {endpoint.signing_secret_set
          ? 'Postbacks are signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature). '
          : 'Postbacks are not signed yet. '}
        {endpoint.rotation_overlap_until &&
          !rotated &&
          `Until ${when(endpoint.rotation_overlap_until)} they carry the previous secret's signature too. `}
      </p>
      {rotated && (
        <div class="secret-once" role="status">
          <CopyField
            id="new-secret"
            label="New signing secret (shown this once)"
            value={rotated.signing_secret}
            help={
              rotated.rotation_overlap_until
                ? `Until ${when(rotated.rotation_overlap_until)} every postback is signed with both secrets (the new one first), ` +
                  'so your server verifies with either: switch it to this one before then.'
                : 'Every postback is signed with it from now on. Copy it now: it is never shown again.'
            }
          />
        </div>
      )}
      <button type="button" class="secondary" disabled={busy} onClick={() => void rotate()}>
        {endpoint.signing_secret_set ? 'Rotate signing secret' : 'Create signing secret'}
      </button>
      {problem && (
        <p role="alert" class="field-error">
          {problem}
        </p>
      )}
    </section>
  );
}
