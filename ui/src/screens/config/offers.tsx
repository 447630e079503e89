import { useLocation, useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { changes, type Change } from './changes';
import { ErrorSummary, FormScope, SelectField, useForm } from './form-kit';
import { MmpSection } from './mmp-lazy';
import { OfferFields } from './offer-form';
import { asOffer, formToOffer, formToOfferPatch, newOffer, offerToForm, type Offer, type OfferForm } from './offer-form-state';
import { ActiveBadge, PageHead, SavedChanges, setFlash, takeFlash, When } from './parts';
import { TrackingLink } from './tracking-link';
import { useUnsavedGuard } from './unsaved-guard';
import { useLoad } from './use-load';
import { usePaged } from './use-paged';
import { useSubmit } from './use-submit';

const rule = (r: { type: string; amount: string | number }, currency: string) =>
  r.type === 'percent' ? `${r.amount} %` : `${r.amount} ${currency}`;

export function OfferList() {
  const list = usePaged((offset) => api.GET('/api/offers', { params: { query: { limit: 100, offset } } }));
  const advertisers = useLoad(() => api.GET('/api/advertisers', { params: { query: { limit: 500 } } }), []);
  const advertiserName = (id: string) => advertisers.data?.data.find((a) => a.id === id)?.name ?? id;
  return (
    <section aria-labelledby="offers-title">
      <div class="list-head">
        <h2 id="offers-title">Offers</h2>
        <a class="button" href="/ui/config/offers/new">
          New offer
        </a>
      </div>
      <p class="help">An offer is an advertiser's landing page with its goals (what a conversion pays), caps and fraud rules.</p>
      {list.error && <ErrorNotice>Could not read the offers: {list.error}. Reload the page to try again.</ErrorNotice>}
      {list.loading && list.rows.length === 0 && <Loading what="offers" />}
      {!list.loading && !list.error && list.rows.length === 0 && (
        <EmptyState title="No offers yet">
          <p>
            An offer belongs to an advertiser: <a href="/ui/config/advertisers/new">create an advertiser</a> if there is none, then{' '}
            <a href="/ui/config/offers/new">create an offer</a>.
          </p>
        </EmptyState>
      )}
      {list.rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Advertiser</th>
                <th scope="col">Goals: payout / revenue</th>
                <th scope="col" class="num">
                  Caps
                </th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((o) => (
                <tr key={o.id}>
                  <td>
                    <a href={`/ui/config/offers/${o.id}`}>{o.name}</a>
                    <div class="mono help">{o.id}</div>
                  </td>
                  <td>
                    <a href={`/ui/config/advertisers/${o.advertiser_id}`}>{advertiserName(o.advertiser_id)}</a>
                  </td>
                  <td>
                    {o.goals.map((g) => (
                      <div key={g.key}>
                        {g.key}: {rule(g.payout, o.currency)} / {rule(g.revenue, o.currency)}
                      </div>
                    ))}
                  </td>
                  <td class="num">{o.caps.length}</td>
                  <td>
                    <ActiveBadge active={o.active} />
                  </td>
                  <td>
                    <When at={o.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.more && (
        <button type="button" class="secondary more" onClick={list.more}>
          Show more offers
        </button>
      )}
    </section>
  );
}

export function OfferNew() {
  const { query } = useLocation();
  const advertisers = useLoad(() => api.GET('/api/advertisers', { params: { query: { active: 'true', limit: 500 } } }), []);
  if (advertisers.error)
    return <ErrorNotice>Could not read the advertisers: {advertisers.error}. Reload the page to try again.</ErrorNotice>;
  if (!advertisers.data) return <Loading what="advertisers" />;
  const list = advertisers.data.data;
  if (list.length === 0)
    return (
      <EmptyState title="An offer needs an advertiser">
        <p>
          There is no active advertiser yet: <a href="/ui/config/advertisers/new">create one</a>, then come back here.
        </p>
      </EmptyState>
    );
  const preset = list.some((a) => a.id === query.advertiser_id) ? query.advertiser_id! : list[0]!.id;
  return <OfferCreate advertisers={list.map((a) => ({ value: a.id, label: `${a.name} (${a.id})` }))} advertiserId={preset} />;
}

function OfferCreate({ advertisers, advertiserId }: { advertisers: { value: string; label: string }[]; advertiserId: string }) {
  const form = useForm<OfferForm>('offer-new', newOffer(advertiserId));
  const submit = useSubmit<Offer>(form);
  const { route } = useLocation();
  useUnsavedGuard(form.dirty);
  const save = (e: Event) => {
    e.preventDefault();
    const converted = formToOffer(form.state);
    if (!converted.body) return submit.refuse(converted.errors);
    void submit.run(
      () => api.POST('/api/offers', { body: converted.body }).then(asOffer),
      (offer) => {
        form.reset(offerToForm(offer));
        setFlash(`Offer “${offer.name}” created. Pick an affiliate below for its tracking link.`);
        route(`/ui/config/offers/${offer.id}`);
      },
    );
  };
  return (
    <section>
      <PageHead back="/ui/config/offers" backLabel="Offers" title="New offer" />
      <form onSubmit={save} noValidate class="entity-form offer-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <SelectField
            path="advertiser_id"
            label="Advertiser"
            required
            options={advertisers}
            help="An offer keeps its advertiser for life."
          />
          <OfferFields form={form} />
        </FormScope>
        <div class="form-actions">
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Creating…' : 'Create offer'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function OfferPage() {
  const { id } = useRoute().params as { id: string };
  const loaded = useLoad(() => api.GET('/api/offers/{id}', { params: { path: { id } } }).then(asOffer), [id]);
  if (loaded.error)
    return (
      <ErrorNotice>
        Could not read offer <code>{id}</code>: {loaded.error}. Go back to the <a href="/ui/config/offers">offers</a>.
      </ErrorNotice>
    );
  if (!loaded.data) return <Loading what="the offer" />;
  return <OfferEdit key={id} offer={loaded.data} />;
}

function OfferEdit({ offer: initial }: { offer: Offer }) {
  const [offer, setOffer] = useState(initial);
  const [flash] = useState(takeFlash);
  const form = useForm<OfferForm>('offer', offerToForm(initial));
  const submit = useSubmit<Offer>(form);
  const [saved, setSaved] = useState<Change[]>();
  useUnsavedGuard(form.dirty);
  const advertiser = useLoad(() => api.GET('/api/advertisers/{id}', { params: { path: { id: initial.advertiser_id } } }), []);
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    // Only the fields changed since the offer was read (or last saved) are sent.
    const converted = formToOfferPatch(form.state, offerToForm(offer));
    if (!converted.body) return submit.refuse(converted.errors);
    void submit.run(
      () => api.PATCH('/api/offers/{id}', { params: { path: { id: offer.id } }, body: converted.body }).then(asOffer),
      (data) => {
        setSaved(changes(offer, data));
        setOffer(data);
        form.reset(offerToForm(data));
      },
    );
  };
  // The MMP section saved a tracking link as the offer's URL: the form follows, keeping any other unsaved edit.
  const urlSaved = (data: Offer) => {
    const before = offer.url;
    setOffer(data);
    if (!form.dirty) form.reset(offerToForm(data));
    else if (form.state.url === before) form.update({ ...form.state, url: data.url });
  };
  return (
    <section>
      <PageHead back="/ui/config/offers" backLabel="Offers" title={offer.name}>
        <p class="meta">
          <code>{offer.id}</code> <ActiveBadge active={offer.active} /> of{' '}
          <a href={`/ui/config/advertisers/${offer.advertiser_id}`}>{advertiser.data?.name ?? offer.advertiser_id}</a>, updated{' '}
          <When at={offer.updated_at} />
        </p>
      </PageHead>
      {flash && (
        <p class="notice ok" role="status">
          {flash}
        </p>
      )}
      <SavedChanges changes={saved} what="offer" />
      <form onSubmit={save} noValidate class="entity-form offer-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <OfferFields form={form} offerId={offer.id} />
        </FormScope>
        <div class="form-actions">
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Saving…' : 'Save offer'}
          </button>
          {form.dirty && <span class="help">Unsaved changes</span>}
        </div>
      </form>
      <h3>Tracking link</h3>
      {offer.active ? (
        <TrackingLink offerId={offer.id} />
      ) : (
        <p>A deactivated offer's clicks go to trafficback (the form's Trafficback section says where): set its status to active first.</p>
      )}
      <MmpSection offer={offer} onOfferChange={urlSaved} />
    </section>
  );
}
