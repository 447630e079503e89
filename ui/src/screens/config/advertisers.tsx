import { useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { changes, type Change } from './changes';
import { CopyField } from './copy-field';
import { ErrorSummary, FormScope, TextArea, TextField, useForm } from './form-kit';
import { fromLines, toLines } from './lines';
import { postbackUrlTemplate } from './links';
import { ActivationControl, ActiveBadge, PageHead, SavedChanges, When } from './parts';
import { useUnsavedGuard } from './unsaved-guard';
import { PartnerAccessLink } from '../partners/access-link';
import { useLoad } from './use-load';
import { usePaged } from './use-paged';
import { useSubmit } from './use-submit';

type Advertiser = Schemas['Advertiser'];
type Created = Schemas['AdvertiserCreated'];
interface AdvertiserForm {
  name: string;
  ip_allowlist: string;
}

export function AdvertiserList() {
  const list = usePaged((offset) => api.GET('/api/advertisers', { params: { query: { limit: 100, offset } } }));
  return (
    <section aria-labelledby="advertisers-title">
      <div class="list-head">
        <h2 id="advertisers-title">Advertisers</h2>
        <a class="button" href="/ui/config/advertisers/new">
          New advertiser
        </a>
      </div>
      <p class="help">Advertisers own offers and send conversions to postflow with their postback token.</p>
      {list.error && <ErrorNotice>Could not read the advertisers: {list.error}. Reload the page to try again.</ErrorNotice>}
      {list.loading && list.rows.length === 0 && <Loading what="advertisers" />}
      {!list.loading && !list.error && list.rows.length === 0 && (
        <EmptyState title="No advertisers yet">
          <p>
            <a href="/ui/config/advertisers/new">Create the first advertiser</a>: it gets the postback token its server sends conversions
            with.
          </p>
        </EmptyState>
      )}
      {list.rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">IP allowlist</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((a) => (
                <tr key={a.id}>
                  <td>
                    <a href={`/ui/config/advertisers/${a.id}`}>{a.name}</a>
                  </td>
                  <td class="mono">{a.id}</td>
                  <td>{a.ip_allowlist.length === 0 ? 'any IP' : a.ip_allowlist.join(', ')}</td>
                  <td>
                    <ActiveBadge active={a.active} />
                  </td>
                  <td>
                    <When at={a.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.more && (
        <button type="button" class="secondary more" onClick={list.more}>
          Show more advertisers
        </button>
      )}
    </section>
  );
}

function AdvertiserFields() {
  return (
    <>
      <TextField path="name" label="Name" required />
      <TextArea
        path="ip_allowlist"
        label="IP allowlist"
        rows={3}
        placeholder="203.0.113.0/24"
        help="One IP address or CIDR range per line. Postbacks from other addresses are refused (403). Empty: any address."
      />
    </>
  );
}

/** The advertiser's side of the integration: the call its server makes for each conversion. */
function PostbackTemplate({ id, token }: { id: string; token?: string }) {
  return (
    <CopyField
      id={`${id}-postback-url`}
      label="Postback URL template"
      value={postbackUrlTemplate(window.location.origin, token)}
      help={
        (token ? '' : '{token} is the postback token shown when the advertiser was created. ') +
        "The advertiser's server calls this for each conversion, with {click_id} replaced by the click id postflow added to the " +
        'landing page URL, {txid} by its order id and {amount} by the sale amount; status, goal and currency may be added.'
      }
    />
  );
}

export function AdvertiserNew() {
  const form = useForm<AdvertiserForm>('adv-new', { name: '', ip_allowlist: '' });
  const submit = useSubmit<Created>(form);
  const [created, setCreated] = useState<Created>();
  useUnsavedGuard(form.dirty && !created);

  if (created)
    return (
      <section>
        <PageHead back="/ui/config/advertisers" backLabel="Advertisers" title={`Advertiser “${created.name}” created`} />
        <div class="notice warn" role="status">
          <p>
            <strong>Copy the postback token now: it is not shown again.</strong> postflow keeps only a hash of it, so neither this console
            nor the API can show it later.
          </p>
        </div>
        <CopyField id="adv-token" label="Postback token" value={created.postback_token} />
        <PostbackTemplate id="adv-created" token={created.postback_token} />
        <p>
          <a href={`/ui/config/advertisers/${created.id}`}>Open the advertiser</a> ·{' '}
          <a href={`/ui/config/offers/new?advertiser_id=${created.id}`}>Create an offer</a> for it
        </p>
      </section>
    );

  const save = (e: Event) => {
    e.preventDefault();
    void submit.run(
      () => api.POST('/api/advertisers', { body: { name: form.state.name, ip_allowlist: fromLines(form.state.ip_allowlist) } }),
      (data) => setCreated(data),
    );
  };
  return (
    <section>
      <PageHead back="/ui/config/advertisers" backLabel="Advertisers" title="New advertiser" />
      <form onSubmit={save} noValidate class="entity-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <AdvertiserFields />
        </FormScope>
        <p class="help">Creating it shows its postback token once.</p>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Creating…' : 'Create advertiser'}
        </button>
      </form>
    </section>
  );
}

export function AdvertiserPage() {
  const { id } = useRoute().params as { id: string };
  const loaded = useLoad(() => api.GET('/api/advertisers/{id}', { params: { path: { id } } }), [id]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read advertiser <code>{id}</code>: {loaded.error}. Go back to the <a href="/ui/config/advertisers">advertisers</a>.
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="the advertiser" />;
  return <AdvertiserEdit key={id} advertiser={loaded.data} />;
}

const toForm = (a: Advertiser): AdvertiserForm => ({ name: a.name, ip_allowlist: toLines(a.ip_allowlist) });

function AdvertiserEdit({ advertiser: initial }: { advertiser: Advertiser }) {
  const [advertiser, setAdvertiser] = useState(initial);
  const form = useForm<AdvertiserForm>('adv', toForm(initial));
  const submit = useSubmit<Advertiser>(form);
  const [saved, setSaved] = useState<Change[]>();
  useUnsavedGuard(form.dirty);
  const id = advertiser.id;
  const offers = useLoad(() => api.GET('/api/offers', { params: { query: { advertiser_id: id, limit: 100 } } }), [id]);

  const save = (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    void submit.run(
      () =>
        api.PATCH('/api/advertisers/{id}', {
          params: { path: { id } },
          body: { name: form.state.name, ip_allowlist: fromLines(form.state.ip_allowlist) },
        }),
      (data) => {
        setSaved(changes(advertiser, data));
        setAdvertiser(data);
        form.reset(toForm(data));
      },
    );
  };
  const switched = (data?: Advertiser) => {
    if (data) {
      setSaved(changes(advertiser, data));
      setAdvertiser(data);
    }
  };
  return (
    <section>
      <PageHead back="/ui/config/advertisers" backLabel="Advertisers" title={advertiser.name}>
        <p class="meta">
          <code>{id}</code> <ActiveBadge active={advertiser.active} /> created <When at={advertiser.created_at} />
          <PartnerAccessLink kind="advertiser" id={id} />
        </p>
      </PageHead>
      <SavedChanges changes={saved} what="advertiser" />
      <form onSubmit={save} noValidate class="entity-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <AdvertiserFields />
        </FormScope>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save advertiser'}
        </button>
      </form>
      <h3>Sending conversions</h3>
      <PostbackTemplate id="adv" />
      <h3>Offers</h3>
      {offers.error && <ErrorNotice>Could not read its offers: {offers.error}</ErrorNotice>}
      {offers.data && offers.data.data.length === 0 && (
        <p>
          No offers yet. <a href={`/ui/config/offers/new?advertiser_id=${id}`}>Create an offer</a> for this advertiser.
        </p>
      )}
      {offers.data && offers.data.data.length > 0 && (
        <ul>
          {offers.data.data.map((o) => (
            <li key={o.id}>
              <a href={`/ui/config/offers/${o.id}`}>{o.name}</a> <ActiveBadge active={o.active} />
            </li>
          ))}
        </ul>
      )}
      <ActivationControl
        active={advertiser.active}
        what="advertiser"
        consequence="Its postbacks are refused (403) while it is deactivated."
        deactivate={async () => {
          const r = await api.DELETE('/api/advertisers/{id}', { params: { path: { id } } });
          switched(r.data);
          return r;
        }}
        reactivate={async () => {
          const r = await api.PATCH('/api/advertisers/{id}', { params: { path: { id } }, body: { active: true } });
          switched(r.data);
          return r;
        }}
      />
    </section>
  );
}
