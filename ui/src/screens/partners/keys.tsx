import { useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { ErrorSummary, FormScope, TextField, useForm } from '../config/form-kit';
import { When } from '../config/parts';
import { useLoad } from '../config/use-load';
import { useSubmit } from '../config/use-submit';
import { AccessFields, chosenCapabilities, initialAccess, type AccessForm } from './access-fields';
import { capabilityInfo, type PartnerKind } from './capabilities';
import { ShownOnce } from './shown-once';

type ApiKey = Schemas['ApiKey'];
type Created = Schemas['ApiKeyCreated'];

const stateBadge = { active: 'ok', expired: 'warn', revoked: 'bad' } as const;

/** A partner's API keys: the list (never the keys themselves), a new key, revocation and rotation. */
export function KeysSection({ kind, partyId, name }: { kind: PartnerKind; partyId: string; name: string }) {
  const principal = `${kind}:${partyId}`;
  const keys = useLoad(() => api.GET('/api/keys', { params: { query: { principal } } }), [principal]);
  const [shown, setShown] = useState<{ key: Created; rotatedFrom?: ApiKey; overlapHours?: number }>();
  const created = (key: Created, rotatedFrom?: ApiKey, overlapHours?: number) => {
    setShown({ key, rotatedFrom, overlapHours });
    keys.reload();
  };
  return (
    <section aria-labelledby="keys-title">
      <h3 id="keys-title">API keys</h3>
      <p class="help">
        A key lets {name}'s own systems call the API (<code>Authorization: Bearer pf_…</code>) or sign in to this console, seeing only its
        own data. Keep one key per system, so revoking one stops only that system.
      </p>
      {shown && (
        <ShownOnce
          id="new-key"
          title={shown.rotatedFrom ? `New key for “${shown.key.name}” (rotated)` : `Key “${shown.key.name}” created`}
          label="API key"
          value={shown.key.key}
          onDone={() => setShown(undefined)}
        >
          <p>
            Send it to {name} over a channel only they read (not in a ticket or a chat others see). They use it as{' '}
            <code>Authorization: Bearer …</code> on the API, or paste it into this console's sign-in. It ends{' '}
            <When at={shown.key.expires_at} />.
            {shown.rotatedFrom &&
              ` The old key (${shown.rotatedFrom.prefix}…) keeps working for ${shown.overlapHours} h so they can switch over, then ends.`}
          </p>
        </ShownOnce>
      )}
      {keys.error && <ErrorNotice>Could not read the keys: {keys.error}. Reload the page to try again.</ErrorNotice>}
      {keys.loading && !keys.data && <Loading what="keys" />}
      {keys.data && keys.data.data.length === 0 && (
        <EmptyState title="No keys yet">
          <p>Create one below for {name}'s systems, or send a sign-in link for a person.</p>
        </EmptyState>
      )}
      {keys.data && keys.data.data.length > 0 && (
        <div class="table-wrap">
          <table class="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">State</th>
                <th scope="col">Access</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((k) => (
                <KeyRow key={k.id} apiKey={k} onChanged={keys.reload} onRotated={(c, hours) => created(c, k, hours)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewKeyForm kind={kind} principal={principal} onCreated={(c) => created(c)} />
    </section>
  );
}

function KeyRow({
  apiKey: k,
  onChanged,
  onRotated,
}: {
  apiKey: ApiKey;
  onChanged: () => void;
  onRotated: (c: Created, h: number) => void;
}) {
  const [action, setAction] = useState<'revoke' | 'rotate'>();
  const [overlap, setOverlap] = useState('24');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (call: () => Promise<{ data?: unknown; error?: unknown }>, done: (data: never) => void) => {
    setBusy(true);
    setError(undefined);
    try {
      const { data, error: problem } = await call();
      if (problem !== undefined) setError(problemMessage(problem));
      else {
        setAction(undefined);
        done(data as never);
      }
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const revoke = () => run(() => api.DELETE('/api/keys/{id}', { params: { path: { id: k.id } } }), onChanged);
  const rotate = () =>
    run(
      () => api.POST('/api/keys/{id}/rotate', { params: { path: { id: k.id } }, body: { overlap_hours: Number(overlap) } }),
      (c: Created) => onRotated(c, Number(overlap)),
    );
  const overlapId = `overlap-${k.id}`;
  return (
    <tr>
      <td>{k.name}</td>
      <td class="mono">{k.prefix}…</td>
      <td>
        <span class={`badge ${stateBadge[k.state]}`}>{k.state}</span>
        {k.replaced_by && k.state === 'active' && <span class="help"> replaced, ends at expiry</span>}
      </td>
      <td>
        {k.read_only ? 'read-only' : 'read-write'}
        {!k.read_only && (
          <ul class="caps">
            {k.capabilities.map((c) => (
              <li key={c}>{capabilityInfo[c].label}</li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <When at={k.expires_at} />
      </td>
      <td>{k.last_used_at ? <When at={k.last_used_at} /> : 'never'}</td>
      <td class="actions">
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        {k.state !== 'active' ? (
          <span class="help">none</span>
        ) : action === 'revoke' ? (
          <div role="group" aria-label={`Confirm revoking ${k.name}`}>
            <p>Revoke “{k.name}”? It stops working at once, with every session opened with it.</p>
            <button type="button" class="danger" disabled={busy} onClick={() => void revoke()}>
              Yes, revoke
            </button>{' '}
            <button type="button" class="secondary" onClick={() => setAction(undefined)}>
              Cancel
            </button>
          </div>
        ) : action === 'rotate' ? (
          <div role="group" aria-label={`Rotate ${k.name}`}>
            <label for={overlapId}>Old key keeps working for (hours)</label>
            <input id={overlapId} type="number" min={0} max={168} value={overlap} onInput={(e) => setOverlap(e.currentTarget.value)} />
            <button type="button" disabled={busy} onClick={() => void rotate()}>
              Rotate
            </button>{' '}
            <button type="button" class="secondary" onClick={() => setAction(undefined)}>
              Cancel
            </button>
          </div>
        ) : (
          <>
            <button type="button" class="secondary" onClick={() => setAction('rotate')} aria-label={`Rotate ${k.name}…`}>
              Rotate…
            </button>{' '}
            <button type="button" class="danger" onClick={() => setAction('revoke')} aria-label={`Revoke ${k.name}…`}>
              Revoke…
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

interface KeyForm extends AccessForm {
  name: string;
  expires_in_days: string;
}

function NewKeyForm({ kind, principal, onCreated }: { kind: PartnerKind; principal: string; onCreated: (c: Created) => void }) {
  const initial: KeyForm = { name: '', expires_in_days: '90', ...initialAccess(kind) };
  const form = useForm<KeyForm>('key', initial);
  const submit = useSubmit<Created>(form);
  const save = (e: Event) => {
    e.preventDefault();
    const days = Number(form.state.expires_in_days);
    void submit.run(
      () =>
        api.POST('/api/keys', {
          body: {
            name: form.state.name,
            principal,
            read_only: form.state.read_only,
            capabilities: chosenCapabilities(form.state),
            // An empty or non-numeric entry goes as is, so the API names the field.
            expires_in_days: form.state.expires_in_days.trim() === '' || Number.isNaN(days) ? (form.state.expires_in_days as never) : days,
          },
        }),
      (created) => {
        form.reset(initial);
        onCreated(created);
      },
    );
  };
  return (
    <form onSubmit={save} noValidate class="entity-form" aria-labelledby="new-key-title">
      <h4 id="new-key-title">New key</h4>
      <ErrorSummary form={form} problem={submit.problem} />
      <FormScope form={form}>
        <div class="field-row">
          <TextField path="name" label="Name" required help="What it is for, e.g. “reporting script”: how you tell keys apart." />
          <TextField path="expires_in_days" label="Expires after (days)" inputMode="numeric" help="1 to 365." />
        </div>
        <AccessFields kind={kind} />
      </FormScope>
      <button type="submit" disabled={submit.busy}>
        {submit.busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}
