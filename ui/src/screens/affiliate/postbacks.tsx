import { useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, problemMessage } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { useCan } from '../../session';
import { ErrorSummary, FormScope, useForm } from '../config/form-kit';
import { useSubmit } from '../config/use-submit';
import { when } from '../deliveries/format';
import { useLoad } from '../deliveries/use-load';
import { EndpointFields, emptyEndpoint, endpointToForm, formToBody, type Endpoint } from './endpoint-form';
import { PauseControl, SecretRotation } from './endpoint-controls';
import { MacroList } from './macro-list';
import { TestPostback } from './test-postback';
import { orMissing } from './or-missing';
import { useAffiliateId } from './use-affiliate';
import './affiliate.css';

/** How an endpoint stands now, in words. */
function endpointState(e: Endpoint): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (!e.active) return { text: `deleted${e.deactivated_reason ? `: ${e.deactivated_reason}` : ''}`, tone: 'bad' };
  if (e.paused) return { text: 'paused by you', tone: 'warn' };
  if (e.paused_until && new Date(e.paused_until) > new Date())
    return { text: `resting after ${e.consecutive_failures} failures, until ${when(e.paused_until)}`, tone: 'warn' };
  return { text: 'sending', tone: 'ok' };
}

function NewEndpoint({ affiliateId, onCreated }: { affiliateId: string; onCreated: () => void }) {
  const form = useForm('pb-new', emptyEndpoint());
  const submit = useSubmit<Endpoint>(form);
  const save = (e: Event) => {
    e.preventDefault();
    void submit.run(
      () => api.POST('/api/affiliates/{id}/postbacks', { params: { path: { id: affiliateId } }, body: formToBody(form.state) }),
      () => {
        form.reset(emptyEndpoint());
        onCreated();
      },
    );
  };
  return (
    <form onSubmit={save} noValidate class="entity-form" aria-labelledby="new-endpoint-title">
      <h2 id="new-endpoint-title">Add a postback endpoint</h2>
      <ErrorSummary form={form} problem={submit.problem} />
      <FormScope form={form}>
        <EndpointFields form={form} />
      </FormScope>
      <button type="submit" disabled={submit.busy}>
        {submit.busy ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  );
}

/** The affiliate's postback endpoints: where we tell its tracker about conversions. */
export function AffiliatePostbacks() {
  const affiliateId = useAffiliateId();
  const can = useCan();
  const endpoints = useLoad(() => api.GET('/api/affiliates/{id}/postbacks', { params: { path: { id: affiliateId } } }), [affiliateId]);
  const [notice, setNotice] = useState<string>();
  if (endpoints.error) return <ErrorNotice>Could not read your endpoints: {endpoints.error}. Reload to try again.</ErrorNotice>;
  if (!endpoints.data) return <Loading what="your endpoints" />;
  const list = endpoints.data.data;
  return (
    <section>
      <h1>Postbacks</h1>
      <p class="help">
        Where we tell your tracker about your conversions. A postback not answered with a 2xx is retried for days; each try is in the{' '}
        <a href="/ui/deliveries">delivery log</a>.
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {list.length === 0 ? (
        <EmptyState title="No postback endpoint yet">
          <p>
            {can('manage_endpoints') ? 'Add your tracker’s postback URL below.' : 'Ask the network to add your tracker’s postback URL.'}
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Signed</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => {
                const state = endpointState(e);
                return (
                  <tr key={e.id}>
                    <td class="url">
                      <span class="badge">{e.method}</span>{' '}
                      <a class="mono" href={`/ui/postbacks/${e.id}`}>
                        {e.url}
                      </a>
                    </td>
                    <td>{e.events.join(', ')}</td>
                    <td>{e.signing_secret_set ? 'yes' : 'no'}</td>
                    <td>
                      <span class={`badge ${state.tone}`}>{state.text}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.some((e) => e.active) && <TestPostback affiliateId={affiliateId} />}
      <MacroList />
      {can('manage_endpoints') && (
        <NewEndpoint
          affiliateId={affiliateId}
          onCreated={() => {
            setNotice('Endpoint added. Fire a test postback to check that your tracker receives it.');
            endpoints.reload();
          }}
        />
      )}
    </section>
  );
}

/** One endpoint: edit it, and (with the capabilities) delete it. */
export function AffiliatePostback() {
  const { id } = useRoute().params as { id: string };
  const loaded = useLoad(() => orMissing(api.GET('/api/postbacks/{id}', { params: { path: { id } } })), [id]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read endpoint {id}: {loaded.error}. Reload to try again.
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="the endpoint" />;
  if (loaded.data.missing)
    return (
      <EmptyState title="Endpoint not found">
        <p>
          None of your endpoints has the id <code>{id}</code>. See <a href="/ui/postbacks">your endpoints</a>.
        </p>
      </EmptyState>
    );
  return <EndpointPage key={id} initial={loaded.data.found} />;
}

function EndpointPage({ initial }: { initial: Endpoint }) {
  const can = useCan();
  const [endpoint, setEndpoint] = useState(initial);
  const [notice, setNotice] = useState<string>();
  const form = useForm('pb', endpointToForm(initial));
  const submit = useSubmit<Endpoint>(form);
  const state = endpointState(endpoint);
  const save = (e: Event) => {
    e.preventDefault();
    setNotice(undefined);
    void submit.run(
      () => api.PATCH('/api/postbacks/{id}', { params: { path: { id: endpoint.id } }, body: formToBody(form.state) }),
      (data) => {
        setEndpoint(data);
        form.reset(endpointToForm(data));
        setNotice('Saved.');
      },
    );
  };
  const remove = async () => {
    if (!window.confirm('Delete this endpoint? Nothing more is sent to it; its delivery log stays.')) return;
    const { data, error } = await api.DELETE('/api/postbacks/{id}', { params: { path: { id: endpoint.id } } }).catch((err: unknown) => ({
      data: undefined,
      error: err,
    }));
    if (data) {
      setEndpoint(data);
      setNotice('Deleted: nothing more is sent to it.');
    } else setNotice(`Not deleted: ${problemMessage(error)}`);
  };
  const editable = can('manage_endpoints') && endpoint.active;
  const refresh = async () => {
    const { data } = await api.GET('/api/postbacks/{id}', { params: { path: { id: endpoint.id } } });
    if (data) setEndpoint(data);
  };
  return (
    <section>
      <p>
        <a href="/ui/postbacks">← Postbacks</a>
      </p>
      <h1>
        Endpoint <span class="mono">{endpoint.id}</span>
      </h1>
      <p>
        <span class={`badge ${state.tone}`}>{state.text}</span> · {endpoint.signing_secret_set ? 'signed' : 'not signed'}
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {editable ? (
        <form onSubmit={save} noValidate class="entity-form">
          <ErrorSummary form={form} problem={submit.problem} />
          <FormScope form={form}>
            <EndpointFields form={form} />
          </FormScope>
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Saving…' : 'Save endpoint'}
          </button>
        </form>
      ) : (
        <p class="mono">
          {endpoint.method} {endpoint.url} — {endpoint.events.join(', ')}
        </p>
      )}
      <MacroList />
      <SecretRotation endpoint={endpoint} onRotated={() => void refresh()} />
      <h2>Pause or delete</h2>
      <div class="actions">
        <PauseControl
          endpoint={endpoint}
          onChange={(e, text) => {
            setEndpoint(e);
            setNotice(text);
          }}
        />
      </div>
      {editable && (
        <div class="actions">
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete endpoint
          </button>
        </div>
      )}
    </section>
  );
}
