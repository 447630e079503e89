import { useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { changes, type Change } from './changes';
import { CheckField, ErrorSummary, Fieldset, FormScope, SelectField, TextArea, TextField, useForm, type FormApi } from './form-kit';
import { idFor } from './form-paths';
import { ActivationControl, ActiveBadge, PageHead, SavedChanges, When } from './parts';
import { useUnsavedGuard } from './unsaved-guard';
import { useLoad } from './use-load';
import { useSubmit } from './use-submit';

type Endpoint = Schemas['PostbackEndpoint'];
type DeliveryEvent = Endpoint['events'][number];
const allEvents: readonly DeliveryEvent[] = ['approved', 'pending', 'held', 'declined', 'reversed', 'rejected'];

interface EndpointForm {
  url: string;
  method: Endpoint['method'];
  events: DeliveryEvent[];
  offer_id: string;
  goal: string;
  body: string;
  signing_secret: string;
  /** Edit only: sends `signing_secret: null`. */
  stop_signing: boolean;
}

const macroHelp =
  'Macros: {event_id} {conversion_id} {click_id} {offer_id} {aff_id} {goal} {status} {payout} {currency} {txid} {sub1}…{sub5} ' +
  '{timestamp} {is_test} (1 for a test postback, else 0).';

export function EndpointTable({ affiliateId, endpoints }: { affiliateId: string; endpoints: Endpoint[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Scope</th>
            <th scope="col">Signed</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((e) => {
            const paused = e.paused_until !== null && new Date(e.paused_until) > new Date();
            return (
              <tr key={e.id}>
                <td class="url">
                  <span class="badge">{e.method}</span>{' '}
                  <a href={`/ui/config/affiliates/${affiliateId}/postbacks/${e.id}`} class="mono">
                    {e.url}
                  </a>
                </td>
                <td>{e.events.join(', ')}</td>
                <td>{e.offer_id ? `${e.offer_id}${e.goal ? ` / ${e.goal}` : ''}` : 'all offers'}</td>
                <td>{e.signing_secret_set ? 'yes' : 'no'}</td>
                <td>
                  <ActiveBadge active={e.active} paused={paused} />
                  {paused && (
                    <>
                      {' '}
                      until <When at={e.paused_until!} />
                    </>
                  )}
                  {!e.active && e.deactivated_reason && <span class="help"> {e.deactivated_reason}</span>}
                  {e.consecutive_failures > 0 && <span class="help"> {e.consecutive_failures} failures in a row</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The events as checkboxes; the API names the whole list ("events") when it is wrong. */
function EventsField({ form }: { form: FormApi<EndpointForm> }) {
  const toggle = (event: DeliveryEvent, on: boolean) =>
    form.set(
      'events',
      allEvents.filter((e) => (e === event ? on : form.state.events.includes(e))),
    );
  return (
    <Fieldset path="events" legend="Events to send" class="checks">
      {allEvents.map((event) => {
        const id = `${idFor(form.id, 'events')}-${event}`;
        return (
          <span key={event} class="check">
            <input
              id={id}
              type="checkbox"
              checked={form.state.events.includes(event)}
              onChange={(e) => toggle(event, e.currentTarget.checked)}
            />
            <label for={id}>{event}</label>
          </span>
        );
      })}
    </Fieldset>
  );
}

function DeliveryFields({ form }: { form: FormApi<EndpointForm> }) {
  return (
    <>
      <TextField
        path="url"
        label="URL"
        required
        inputMode="url"
        placeholder="e.g. https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}"
        help={macroHelp}
      />
      <SelectField path="method" label="Method" options={['GET', 'POST']} />
      {form.state.method === 'POST' && (
        <TextArea
          path="body"
          label="Body template (optional)"
          rows={3}
          placeholder={'{"id":"{event_id}","payout":"{payout}"}'}
          help="JSON with every macro inside a string. Without one, POST sends a JSON object with every macro."
        />
      )}
      <EventsField form={form} />
    </>
  );
}

const emptyEndpoint = (): EndpointForm => ({
  url: '',
  method: 'GET',
  events: ['approved'],
  offer_id: '',
  goal: '',
  body: '',
  signing_secret: '',
  stop_signing: false,
});

function NewEndpoint({ affiliateId, onCreated }: { affiliateId: string; onCreated: (e: Endpoint) => void }) {
  const form = useForm<EndpointForm>('pb-new', emptyEndpoint());
  const submit = useSubmit<Endpoint>(form);
  useUnsavedGuard(form.dirty);
  const offers = useLoad(() => api.GET('/api/offers', { params: { query: { limit: 500 } } }), []);
  const offer = offers.data?.data.find((o) => o.id === form.state.offer_id);
  const save = (e: Event) => {
    e.preventDefault();
    const s = form.state;
    void submit.run(
      () =>
        api.POST('/api/affiliates/{id}/postbacks', {
          params: { path: { id: affiliateId } },
          body: {
            url: s.url,
            method: s.method,
            events: s.events,
            offer_id: s.offer_id || undefined,
            goal: s.goal || undefined,
            body: s.method === 'POST' && s.body.trim() ? s.body : undefined,
            signing_secret: s.signing_secret || undefined,
          },
        }),
      (created) => {
        form.reset(emptyEndpoint());
        onCreated(created);
      },
    );
  };
  return (
    <form onSubmit={save} noValidate class="entity-form" aria-labelledby="new-endpoint-title">
      <h3 id="new-endpoint-title">Add a postback endpoint</h3>
      <ErrorSummary form={form} problem={submit.problem} />
      <FormScope form={form}>
        <DeliveryFields form={form} />
        <div class="field-row">
          <SelectField
            path="offer_id"
            label="Offer"
            options={[
              { value: '', label: 'All offers' },
              ...(offers.data?.data ?? []).map((o) => ({ value: o.id, label: `${o.name} (${o.id})` })),
            ]}
            help="For one offer only; endpoints of an offer win over the affiliate's global ones."
          />
          <SelectField
            path="goal"
            label="Goal"
            options={[{ value: '', label: 'All goals' }, ...(offer?.goals ?? []).map((g) => g.key)]}
            help="Needs an offer."
          />
        </div>
        <TextField
          path="signing_secret"
          label="Signing secret (optional)"
          type="password"
          autoComplete="new-password"
          placeholder="whsec_…"
          help="Standard Webhooks: whsec_ + base64 of 24–64 random bytes. It is never shown again."
        />
      </FormScope>
      <button type="submit" disabled={submit.busy}>
        {submit.busy ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  );
}

export function PostbackEndpointsPage() {
  const { id } = useRoute().params as { id: string };
  const affiliate = useLoad(() => api.GET('/api/affiliates/{id}', { params: { path: { id } } }), [id]);
  const endpoints = useLoad(() => api.GET('/api/affiliates/{id}/postbacks', { params: { path: { id } } }), [id]);
  const [added, setAdded] = useState<Endpoint>();
  if (affiliate.error)
    return (
      <ErrorNotice>
        Could not read affiliate <code>{id}</code>: {affiliate.error}. Go back to the <a href="/ui/config/affiliates">affiliates</a>.
      </ErrorNotice>
    );
  if (!affiliate.data) return <Loading what="the affiliate" />;
  return (
    <section>
      <PageHead
        back={`/ui/config/affiliates/${id}`}
        backLabel={affiliate.data.name}
        title={`Postback endpoints of ${affiliate.data.name}`}
      />
      <p class="help">Where postflow tells this affiliate's tracker about its conversions, retrying for days until it answers 2xx.</p>
      {added && (
        <p class="notice ok" role="status">
          Endpoint <code>{added.id}</code> added.
        </p>
      )}
      {endpoints.error && <ErrorNotice>Could not read the endpoints: {endpoints.error}</ErrorNotice>}
      {endpoints.data && endpoints.data.data.length === 0 && <p>None yet: add the affiliate's postback URL below.</p>}
      {endpoints.data && endpoints.data.data.length > 0 && <EndpointTable affiliateId={id} endpoints={endpoints.data.data} />}
      <NewEndpoint
        affiliateId={id}
        onCreated={(e) => {
          setAdded(e);
          endpoints.reload();
        }}
      />
    </section>
  );
}

const endpointToForm = (e: Endpoint): EndpointForm => ({
  url: e.url,
  method: e.method,
  events: [...e.events],
  offer_id: e.offer_id ?? '',
  goal: e.goal ?? '',
  body: e.body ?? '',
  signing_secret: '',
  stop_signing: false,
});

export function PostbackEndpointPage() {
  const { id, endpointId } = useRoute().params as { id: string; endpointId: string };
  const loaded = useLoad(() => api.GET('/api/postbacks/{id}', { params: { path: { id: endpointId } } }), [endpointId]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read endpoint <code>{endpointId}</code>: {loaded.error}. Go back to the{' '}
        <a href={`/ui/config/affiliates/${id}/postbacks`}>affiliate's endpoints</a>.
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="the endpoint" />;
  return <EndpointEdit key={endpointId} endpoint={loaded.data} />;
}

function EndpointEdit({ endpoint: initial }: { endpoint: Endpoint }) {
  const [endpoint, setEndpoint] = useState(initial);
  const form = useForm<EndpointForm>('pb', endpointToForm(initial));
  const submit = useSubmit<Endpoint>(form);
  const [saved, setSaved] = useState<Change[]>();
  useUnsavedGuard(form.dirty);
  const id = endpoint.id;
  const apply = (data?: Endpoint) => {
    if (!data) return;
    setSaved(changes(endpoint, data));
    setEndpoint(data);
  };
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    const s = form.state;
    void submit.run(
      () =>
        api.PATCH('/api/postbacks/{id}', {
          params: { path: { id } },
          body: {
            url: s.url,
            method: s.method,
            events: s.events,
            body: s.method === 'POST' && s.body.trim() ? s.body : undefined,
            signing_secret: s.stop_signing ? null : s.signing_secret || undefined,
          },
        }),
      (data) => {
        apply(data);
        form.reset(endpointToForm(data));
      },
    );
  };
  const paused = endpoint.paused_until !== null && new Date(endpoint.paused_until) > new Date();
  return (
    <section>
      <PageHead
        back={`/ui/config/affiliates/${endpoint.affiliate_id}/postbacks`}
        backLabel="Postback endpoints"
        title={`Postback endpoint ${id}`}
      >
        <p class="meta">
          <ActiveBadge active={endpoint.active} paused={paused} /> scope:{' '}
          {endpoint.offer_id ? (
            <>
              offer <a href={`/ui/config/offers/${endpoint.offer_id}`}>{endpoint.offer_id}</a>
              {endpoint.goal && `, goal ${endpoint.goal}`}
            </>
          ) : (
            'all offers'
          )}
          {endpoint.deactivated_reason && ` — ${endpoint.deactivated_reason}`}
        </p>
      </PageHead>
      <SavedChanges changes={saved} what="endpoint" />
      <form onSubmit={save} noValidate class="entity-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <DeliveryFields form={form} />
          <TextField
            path="signing_secret"
            label={endpoint.signing_secret_set ? 'New signing secret' : 'Signing secret (optional)'}
            type="password"
            autoComplete="new-password"
            placeholder="whsec_…"
            help={
              endpoint.signing_secret_set
                ? 'Deliveries are signed. Leave empty to keep the secret; it is never shown.'
                : 'Deliveries are not signed. whsec_ + base64 of 24–64 random bytes.'
            }
          />
          {endpoint.signing_secret_set && <CheckField path="stop_signing" label="Stop signing (remove the secret)" />}
        </FormScope>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save endpoint'}
        </button>
      </form>
      <ActivationControl
        active={endpoint.active}
        what="endpoint"
        consequence={
          'Its deliveries stop (pending ones are dead-lettered) and new events are not sent to it; ' +
          'reactivating also closes its circuit breaker.'
        }
        deactivate={async () => {
          const r = await api.DELETE('/api/postbacks/{id}', { params: { path: { id } } });
          apply(r.data);
          return r;
        }}
        reactivate={async () => {
          const r = await api.PATCH('/api/postbacks/{id}', { params: { path: { id } }, body: { active: true } });
          apply(r.data);
          return r;
        }}
      />
    </section>
  );
}
