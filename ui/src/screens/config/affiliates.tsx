import { useLocation, useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { changes, type Change } from './changes';
import { ErrorSummary, FormScope, TextField, useForm } from './form-kit';
import { ActivationControl, ActiveBadge, PageHead, SavedChanges, setFlash, takeFlash, When } from './parts';
import { EndpointTable } from './postbacks';
import { TrackingLink } from './tracking-link';
import { useUnsavedGuard } from './unsaved-guard';
import { PartnerAccessLink } from '../partners/access-link';
import { useLoad } from './use-load';
import { usePaged } from './use-paged';
import { useSubmit } from './use-submit';

type Affiliate = Schemas['Affiliate'];

export function AffiliateList() {
  const list = usePaged((offset) => api.GET('/api/affiliates', { params: { query: { limit: 100, offset } } }));
  return (
    <section aria-labelledby="affiliates-title">
      <div class="list-head">
        <h2 id="affiliates-title">Affiliates</h2>
        <a class="button" href="/ui/config/affiliates/new">
          New affiliate
        </a>
      </div>
      <p class="help">Affiliates send traffic through tracking links and get postbacks when their conversions change.</p>
      {list.error && <ErrorNotice>Could not read the affiliates: {list.error}. Reload the page to try again.</ErrorNotice>}
      {list.loading && list.rows.length === 0 && <Loading what="affiliates" />}
      {!list.loading && !list.error && list.rows.length === 0 && (
        <EmptyState title="No affiliates yet">
          <p>
            <a href="/ui/config/affiliates/new">Create the first affiliate</a> to get a tracking link for an offer.
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
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Postbacks</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((a) => (
                <tr key={a.id}>
                  <td>
                    <a href={`/ui/config/affiliates/${a.id}`}>{a.name}</a>
                  </td>
                  <td class="mono">{a.id}</td>
                  <td>
                    <ActiveBadge active={a.active} />
                  </td>
                  <td>
                    <When at={a.created_at} />
                  </td>
                  <td>
                    <a href={`/ui/config/affiliates/${a.id}/postbacks`} aria-label={`Postback endpoints of ${a.name}`}>
                      endpoints
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.more && (
        <button type="button" class="secondary more" onClick={list.more}>
          Show more affiliates
        </button>
      )}
    </section>
  );
}

export function AffiliateNew() {
  const form = useForm('aff-new', { name: '' });
  const submit = useSubmit<Affiliate>(form);
  const { route } = useLocation();
  useUnsavedGuard(form.dirty);
  const save = (e: Event) => {
    e.preventDefault();
    void submit.run(
      () => api.POST('/api/affiliates', { body: { name: form.state.name } }),
      (data) => {
        form.reset({ name: data.name });
        setFlash(
          `Affiliate “${data.name}” created. Its tracking link is below; add a postback endpoint to tell its tracker about conversions.`,
        );
        route(`/ui/config/affiliates/${data.id}`);
      },
    );
  };
  return (
    <section>
      <PageHead back="/ui/config/affiliates" backLabel="Affiliates" title="New affiliate" />
      <form onSubmit={save} noValidate class="entity-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <TextField path="name" label="Name" required />
        </FormScope>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Creating…' : 'Create affiliate'}
        </button>
      </form>
    </section>
  );
}

export function AffiliatePage() {
  const { id } = useRoute().params as { id: string };
  const loaded = useLoad(() => api.GET('/api/affiliates/{id}', { params: { path: { id } } }), [id]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read affiliate <code>{id}</code>: {loaded.error}. Go back to the <a href="/ui/config/affiliates">affiliates</a>.
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="the affiliate" />;
  return <AffiliateEdit key={id} affiliate={loaded.data} />;
}

function AffiliateEdit({ affiliate: initial }: { affiliate: Affiliate }) {
  const [affiliate, setAffiliate] = useState(initial);
  const [flash] = useState(takeFlash);
  const form = useForm('aff', { name: initial.name });
  const submit = useSubmit<Affiliate>(form);
  const [saved, setSaved] = useState<Change[]>();
  useUnsavedGuard(form.dirty);
  const id = affiliate.id;
  const endpoints = useLoad(() => api.GET('/api/affiliates/{id}/postbacks', { params: { path: { id } } }), [id]);
  // Activation changes only `active`: what the form holds, saved or not, stays.
  const apply = (data?: Affiliate) => {
    if (!data) return;
    setSaved(changes(affiliate, data));
    setAffiliate(data);
  };
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    void submit.run(
      () => api.PATCH('/api/affiliates/{id}', { params: { path: { id } }, body: { name: form.state.name } }),
      (data) => {
        apply(data);
        form.reset({ name: data.name });
      },
    );
  };
  return (
    <section>
      <PageHead back="/ui/config/affiliates" backLabel="Affiliates" title={affiliate.name}>
        <p class="meta">
          <code>{id}</code> <ActiveBadge active={affiliate.active} /> created <When at={affiliate.created_at} />
          <PartnerAccessLink kind="affiliate" id={id} />
        </p>
      </PageHead>
      {flash && (
        <p class="notice ok" role="status">
          {flash}
        </p>
      )}
      <SavedChanges changes={saved} what="affiliate" />
      <form onSubmit={save} noValidate class="entity-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <TextField path="name" label="Name" required />
        </FormScope>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save affiliate'}
        </button>
      </form>
      <h3>Tracking link</h3>
      {affiliate.active ? (
        <TrackingLink affiliateId={id} />
      ) : (
        <p>A deactivated affiliate's clicks go to trafficback (affiliate_inactive, never to another offer): reactivate it first.</p>
      )}
      <h3>Postback endpoints</h3>
      {endpoints.error && <ErrorNotice>Could not read its endpoints: {endpoints.error}</ErrorNotice>}
      {endpoints.data && endpoints.data.data.length === 0 && <p>None yet: its tracker hears of no conversion.</p>}
      {endpoints.data && endpoints.data.data.length > 0 && <EndpointTable affiliateId={id} endpoints={endpoints.data.data} />}
      <p>
        <a href={`/ui/config/affiliates/${id}/postbacks`}>Manage postback endpoints</a>
      </p>
      <ActivationControl
        active={affiliate.active}
        what="affiliate"
        consequence="Its clicks go to trafficback (a 404 unless a URL target is set) while it is deactivated."
        deactivate={async () => {
          const r = await api.DELETE('/api/affiliates/{id}', { params: { path: { id } } });
          apply(r.data);
          return r;
        }}
        reactivate={async () => {
          const r = await api.PATCH('/api/affiliates/{id}', { params: { path: { id } }, body: { active: true } });
          apply(r.data);
          return r;
        }}
      />
    </section>
  );
}
