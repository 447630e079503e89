import { useRoute } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, problemMessage } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { useCan } from '../../session';
import { changes, type Change } from './changes';
import { CopyField } from './copy-field';
import {
  CheckField,
  ErrorSummary,
  Fieldset,
  FormScope,
  SelectField,
  TextArea,
  TextField,
  useForm,
  type FormApi,
  type Option,
} from './form-kit';
import {
  eventHints,
  formToMmpCreate,
  formToMmpPatch,
  hasTokenPlaceholder,
  kindGoalKeys,
  kindGoalLabels,
  linkBaseExamples,
  mmpToForm,
  newEventMapping,
  newMmpForm,
  publishesIpRanges,
  tokenInOfferUrl,
  vendorLabels,
  vendors,
  withToken,
  type MmpCreated,
  type MmpForm,
  type MmpIntegration,
} from './mmp-form-state';
import { MmpLog } from './mmp-log';
import { asOffer, type Offer } from './offer-form-state';
import { ActiveBadge, PageHead, SavedChanges, When } from './parts';
import { useUnsavedGuard } from './unsaved-guard';
import { useLoad } from './use-load';
import { useSubmit } from './use-submit';

/** The offer's goals as options, keeping a value the form holds that no goal has (the API will say so next to it). */
function goalOptions(offer: Offer, current: string, blank?: string): Option[] {
  const keys = offer.goals.map((g) => g.key);
  const options: Option[] = blank !== undefined ? [{ value: '', label: blank }] : [];
  options.push(...keys);
  if (current && !keys.includes(current)) options.push({ value: current, label: `${current} (no such goal)` });
  return options;
}

/** Enough rows of a read-only text area to show a URL whole (about 80 characters a row), within reason. */
const rowsFor = (url: string) => Math.max(2, Math.min(8, Math.ceil(url.length / 80)));

/** The integration's settings; `creating` adds the vendor and its published ranges, editing adds Active. */
function MmpFields({ form, offer, creating, taken = [] }: { form: FormApi<MmpForm>; offer: Offer; creating: boolean; taken?: string[] }) {
  const s = form.state;
  const hint = eventHints[s.vendor];
  const setEvents = (events: MmpForm['events']) => form.restructure({ ...s, events });
  return (
    <>
      <div class="field-row">
        {creating && (
          <SelectField
            path="vendor"
            label="Vendor"
            required
            options={vendors.map((v) => ({ value: v, label: `${vendorLabels[v]}${taken.includes(v) ? ' (already connected)' : ''}` }))}
            help="One integration per vendor and offer."
          />
        )}
        <SelectField
          path="install_goal"
          label="Goal of an install"
          options={goalOptions(offer, s.install_goal)}
          help="An attributed install becomes a conversion on this goal."
        />
      </div>
      <Fieldset path="events" legend="In-app events → goals" class="section">
        <p class="help">
          {hint.help} An event mapped to no goal is logged (<code>unmapped_event</code>), never counted.
        </p>
        {s.events.length === 0 && <p class="help">No events mapped: only installs count.</p>}
        {s.events.map((_, i) => (
          <Fieldset key={i} path={`events.${i}`} legend={`Event ${i + 1}`} class="item mapping">
            <div class="field-row mapping-row">
              <TextField path={`events.${i}.event`} label={`${vendorLabels[s.vendor]} event`} required placeholder={hint.placeholder} />
              <SelectField
                path={`events.${i}.goal`}
                label="Goal"
                required
                options={goalOptions(offer, s.events[i]!.goal, 'Choose a goal')}
              />
              <div class="field">
                <button type="button" class="secondary small" onClick={() => setEvents(s.events.filter((_, j) => j !== i))}>
                  Remove event {i + 1}
                </button>
              </div>
            </div>
          </Fieldset>
        ))}
        <button type="button" class="secondary" onClick={() => setEvents([...s.events, newEventMapping()])}>
          Add an event mapping
        </button>
      </Fieldset>
      <Fieldset path="kind_goals" legend="Reattributions, reinstalls and re-engagements" class="section">
        <p class="help">
          A goal for each, if the advertiser pays for them. Without one they are logged (<code>unmapped_kind</code>) and never counted as a
          new install.
        </p>
        <div class="field-row">
          {kindGoalKeys.map((k) => (
            <SelectField
              key={k}
              path={`kind_goals.${k}`}
              label={kindGoalLabels[k]}
              options={goalOptions(offer, s.kind_goals[k], 'not counted')}
            />
          ))}
        </div>
      </Fieldset>
      <TextField
        path="post_install_window_hours"
        label="Post-install window (hours, optional)"
        inputMode="decimal"
        placeholder="e.g. 168"
        help="In-app events later than this after the install are logged (out_of_window), not counted. Empty: no window."
      />
      <TextField
        path="link_base"
        label="The vendor's link for the app"
        inputMode="url"
        placeholder={linkBaseExamples[s.vendor]}
        help={
          <>
            From {vendorLabels[s.vendor]}, before postflow's parameters: postflow adds its click id and the affiliate, and the result is the
            tracking link. Empty: the tracking link has placeholders in &lt; &gt; to fill in.
            {creating && s.vendor === 'adjust' && ' Enter it now for Adjust: the link carries the token, which is shown only once.'}
          </>
        }
      />
      <TextArea
        path="ip_allowlist"
        label="IP allowlist (optional)"
        rows={3}
        placeholder="203.0.113.0/24"
        help="One IP address or CIDR range per line: postbacks from other addresses are refused (403). Empty: from anywhere."
      />
      {creating && publishesIpRanges(s.vendor) && (
        <CheckField
          path="vendor_ip_ranges"
          label={`Add the ranges ${vendorLabels[s.vendor]} publishes for its postbacks`}
          help="Added to the allowlist once, now; edit them like the others afterwards."
        />
      )}
      {!creating && <CheckField path="active" label="Active" help="Inactive: the vendor's postbacks are refused (403)." />}
    </>
  );
}

/** Saves the tracking link as the offer's URL (PATCH /api/offers/:id {url}), or says that it is. */
function UseAsOfferUrl({ offer, link, onOfferChange }: { offer: Offer; link: string; onOfferChange: (offer: Offer) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { data, error: problem } = await api
        .PATCH('/api/offers/{id}', { params: { path: { id: offer.id } }, body: { url: link } })
        .then(asOffer);
      if (data) {
        setDone(true);
        onOfferChange(data);
      } else setError(problemMessage(problem));
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const can = useCan();
  const current = offer.url === link;
  return (
    <div class="use-link">
      {!current && can() && (
        <p>
          <button type="button" disabled={busy} onClick={() => void save()}>
            {busy ? 'Saving…' : "Use as the offer's URL"}
          </button>{' '}
          <span class="help">
            The offer's URL is now <span class="mono">{offer.url}</span>
          </span>
        </p>
      )}
      <p role="status" class={current ? 'notice ok' : undefined}>
        {current && (
          <>
            {done ? <strong>Saved: this is now the offer's URL.</strong> : "This is the offer's URL."} Its clicks go to the vendor with
            postflow's click id.
          </>
        )}
      </p>
      {error && (
        <p class="field-error" role="alert">
          Not saved: {error}
        </p>
      )}
    </div>
  );
}

/**
 * What to paste where: the tracking link (with a button saving it as the offer's URL), each
 * postback URL and the vendor's instructions. Right after creation the templates carry the
 * token; read later they carry `<integration token>`, except Adjust's link when the offer's URL
 * still holds this integration's token.
 */
function MmpTemplates({
  id,
  integration,
  created,
  offer,
  onOfferChange,
}: {
  id: string;
  integration: MmpIntegration;
  created: boolean;
  offer: Offer;
  onOfferChange: (offer: Offer) => void;
}) {
  const t = integration.templates;
  const vendor = vendorLabels[integration.vendor];
  const known = hasTokenPlaceholder(t.tracking_link) ? tokenInOfferUrl(offer.url, integration.vendor, integration.token_prefix) : undefined;
  const link = known ? withToken(t.tracking_link, known) : t.tracking_link;
  const placeholders = !integration.link_base;
  return (
    <div class="mmp-templates">
      <CopyField
        id={`${id}-link`}
        label="Tracking link (the offer's URL)"
        value={link}
        rows={rowsFor(link)}
        help={
          integration.vendor === 'adjust'
            ? `Clicks are redirected to Adjust with postflow's click id; Adjust reads its callbacks, token included, from this link.${
                known ? " The token is the one in the offer's current URL." : ''
              }`
            : `Clicks are redirected to ${vendor} with postflow's click id, which ${vendor} sends back in its postbacks.`
        }
      />
      {hasTokenPlaceholder(link) ? (
        <p class="notice warn">
          This link carries the integration's token, which was shown only when it was created: replace{' '}
          <code>%253Cintegration%2520token%253E</code> with it before saving the link as the offer's URL.
        </p>
      ) : placeholders ? (
        <p class="help">
          The link still has placeholders in &lt; &gt;: enter the vendor's link for the app
          {created ? ' on the integration’s page' : ' above'}, then save it as the offer's URL.
        </p>
      ) : (
        <UseAsOfferUrl offer={offer} link={link} onOfferChange={onOfferChange} />
      )}
      <h4>Postback URLs for {vendor}</h4>
      {!created && (
        <p class="help">
          <code>%3Cintegration%20token%3E</code> stands for the integration's token, shown once when the integration was created: the URLs
          pasted into {vendor} then carry it.
        </p>
      )}
      {t.postbacks.map((p, i) => (
        <CopyField
          key={i}
          id={`${id}-postback-${i}`}
          label={`Postback for ${p.for}`}
          value={p.url}
          rows={rowsFor(p.url)}
          help={`postflow reads it as: ${p.kinds.join(', ')}.`}
        />
      ))}
      <h4>Where they go</h4>
      <p class="mmp-instructions">{t.instructions}</p>
    </div>
  );
}

function IntegrationTable({ offerId, integrations }: { offerId: string; integrations: MmpIntegration[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Vendor</th>
            <th scope="col">Token</th>
            <th scope="col">Install goal</th>
            <th scope="col" class="num">
              Mapped events
            </th>
            <th scope="col">Status</th>
            <th scope="col">Connected</th>
          </tr>
        </thead>
        <tbody>
          {integrations.map((i) => (
            <tr key={i.id}>
              <td>
                <a href={`/ui/config/offers/${offerId}/mmp/${i.id}`}>{vendorLabels[i.vendor]}</a>
                <div class="mono help">{i.id}</div>
              </td>
              <td class="mono">{i.token_prefix}…</td>
              <td>{i.install_goal}</td>
              <td class="num">{i.events.length}</td>
              <td>
                <ActiveBadge active={i.active} />
              </td>
              <td>
                <When at={i.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConnectForm({
  offer,
  taken,
  onCreated,
  onCancel,
}: {
  offer: Offer;
  taken: string[];
  onCreated: (created: MmpCreated) => void;
  onCancel: () => void;
}) {
  const initial = { ...newMmpForm(offer.default_goal), vendor: vendors.find((v) => !taken.includes(v)) ?? vendors[0]! };
  const form = useForm<MmpForm>('mmp-new', initial);
  const submit = useSubmit<MmpCreated>(form);
  useUnsavedGuard(form.dirty);
  const save = (e: Event) => {
    e.preventDefault();
    void submit.run(
      () => api.POST('/api/offers/{id}/mmp', { params: { path: { id: offer.id } }, body: formToMmpCreate(form.state) }),
      (created) => {
        form.reset(initial);
        onCreated(created);
      },
    );
  };
  return (
    <form onSubmit={save} noValidate class="entity-form mmp-form" aria-labelledby="mmp-new-title">
      <h4 id="mmp-new-title">Connect an MMP</h4>
      <ErrorSummary form={form} problem={submit.problem} />
      <FormScope form={form}>
        <MmpFields form={form} offer={offer} creating taken={taken} />
      </FormScope>
      <div class="form-actions inline-actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Connecting…' : `Connect ${vendorLabels[form.state.vendor]}`}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Right after connecting: the token, this once, and the templates that carry it. */
function Created({
  created,
  offer,
  onOfferChange,
  onAnother,
}: {
  created: MmpCreated;
  offer: Offer;
  onOfferChange: (offer: Offer) => void;
  onAnother: () => void;
}) {
  const vendor = vendorLabels[created.vendor];
  return (
    <section class="mmp-created" aria-labelledby="mmp-created-title">
      <h4 id="mmp-created-title">{vendor} connected</h4>
      <div class="notice warn" role="status">
        <p>
          <strong>Copy the token and the postback URLs now: the token is shown only this once.</strong> postflow keeps only a hash of it;
          later the templates show <code>&lt;integration token&gt;</code> in its place.
        </p>
      </div>
      <CopyField id="mmp-token" label="Integration token" value={created.token} />
      <MmpTemplates id="mmp-created" integration={created} created offer={offer} onOfferChange={onOfferChange} />
      <p>
        <a href={`/ui/config/offers/${offer.id}/mmp/${created.id}`}>Open the integration</a> (its settings and the log of postbacks that
        made no conversion) ·{' '}
        <button type="button" class="link" onClick={onAnother}>
          Connect another MMP
        </button>
      </p>
    </section>
  );
}

/**
 * The offer page's "App install tracking (MMP)" section: the offer's integrations, and connecting
 * one (README "MMP postbacks"). `onOfferChange` hears of the offer's URL saved from a tracking link.
 */
export function MmpSection({ offer, onOfferChange }: { offer: Offer; onOfferChange: (offer: Offer) => void }) {
  const list = useLoad(() => api.GET('/api/offers/{id}/mmp', { params: { path: { id: offer.id } } }), [offer.id]);
  const [connecting, setConnecting] = useState(false);
  const [created, setCreated] = useState<MmpCreated>();
  const integrations = list.data ?? [];
  const can = useCan();
  return (
    <section class="mmp" aria-labelledby="mmp-title">
      <h3 id="mmp-title">App install tracking (MMP)</h3>
      <p class="help">
        For an app: its mobile measurement partner (AppsFlyer, Adjust, Branch, Singular or Kochava) posts installs and in-app events to
        postflow instead of the advertiser. Connect the vendor here, save its tracking link as the offer's URL, then paste the postback URLs
        into the vendor's dashboard.
      </p>
      {list.error && <ErrorNotice>Could not read the offer's MMP integrations: {list.error}</ErrorNotice>}
      {list.data && integrations.length === 0 && !created && <p>No MMP connected to this offer.</p>}
      {integrations.length > 0 && <IntegrationTable offerId={offer.id} integrations={integrations} />}
      {created ? (
        <Created
          created={created}
          offer={offer}
          onOfferChange={onOfferChange}
          onAnother={() => {
            setCreated(undefined);
            setConnecting(true);
          }}
        />
      ) : connecting ? (
        <ConnectForm
          offer={offer}
          taken={integrations.map((i) => i.vendor)}
          onCreated={(c) => {
            setConnecting(false);
            setCreated(c);
            list.reload();
          }}
          onCancel={() => setConnecting(false)}
        />
      ) : (
        list.data &&
        can() && (
          <button type="button" class="secondary" onClick={() => setConnecting(true)}>
            Connect an MMP…
          </button>
        )
      )}
    </section>
  );
}

/** /ui/config/offers/:id/mmp/:mmpId: an integration's settings, its templates and its log. */
export function MmpIntegrationPage() {
  const { id, mmpId } = useRoute().params as { id: string; mmpId: string };
  const loaded = useLoad(() => api.GET('/api/mmp/{id}', { params: { path: { id: mmpId } } }), [mmpId]);
  const offer = useLoad(() => api.GET('/api/offers/{id}', { params: { path: { id } } }).then(asOffer), [id]);
  const error = loaded.error ?? offer.error;
  if (error)
    return (
      <ErrorNotice>
        Could not read MMP integration <code>{mmpId}</code>: {error}. Go back to the <a href={`/ui/config/offers/${id}`}>offer</a>.
      </ErrorNotice>
    );
  if (!loaded.data || !offer.data) return <Loading what="the integration" />;
  return <MmpEdit key={mmpId} integration={loaded.data} offer={offer.data} />;
}

function MmpEdit({ integration: initial, offer: initialOffer }: { integration: MmpIntegration; offer: Offer }) {
  const [integration, setIntegration] = useState(initial);
  const [offer, setOffer] = useState(initialOffer);
  const form = useForm<MmpForm>('mmp', mmpToForm(initial));
  const submit = useSubmit<MmpIntegration>(form);
  const [saved, setSaved] = useState<Change[]>();
  useUnsavedGuard(form.dirty);
  const vendor = vendorLabels[integration.vendor];
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    // Only what changed since the integration was read (or last saved) is sent.
    const body = formToMmpPatch(form.state, mmpToForm(integration));
    if (Object.keys(body).length === 0) return setSaved([]);
    void submit.run(
      () => api.PATCH('/api/mmp/{id}', { params: { path: { id: integration.id } }, body }),
      (data) => {
        setSaved(changes(integration, data, '', ['created_at', 'updated_at', 'templates']));
        setIntegration(data);
        form.reset(mmpToForm(data));
      },
    );
  };
  return (
    <section>
      <PageHead back={`/ui/config/offers/${offer.id}`} backLabel={offer.name} title={`${vendor} integration of ${offer.name}`}>
        <p class="meta">
          <code>{integration.id}</code> <ActiveBadge active={integration.active} /> token <code>{integration.token_prefix}…</code>,
          connected <When at={integration.created_at} />
        </p>
      </PageHead>
      <SavedChanges changes={saved} what="integration" />
      <form onSubmit={save} noValidate class="entity-form mmp-form">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <MmpFields form={form} offer={offer} creating={false} />
        </FormScope>
        <div class="form-actions">
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Saving…' : 'Save integration'}
          </button>
          {form.dirty && <span class="help">Unsaved changes</span>}
        </div>
      </form>
      <h3>Templates</h3>
      <p class="help">
        As saved (the templates follow the mapping and the link once saved). The token was shown once, when the integration was created;
        here it reads <code>&lt;integration token&gt;</code>.
      </p>
      <MmpTemplates id="mmp" integration={integration} created={false} offer={offer} onOfferChange={setOffer} />
      <MmpLog integrationId={integration.id} />
    </section>
  );
}
