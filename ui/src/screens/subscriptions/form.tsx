import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { ErrorNotice, Loading } from '../../components/notice';
import { CopyField } from '../config/copy-field';
import { CheckField, ErrorSummary, FormScope, SelectField, TextArea, TextField, useForm } from '../config/form-kit';
import { fromLines, toLines } from '../config/lines';
import { useUnsavedGuard } from '../config/unsaved-guard';
import { useSubmit } from '../config/use-submit';
import { useLoad } from '../deliveries/use-load';
// The form layout (fields, rows, error summary) is the configuration screens'.
import '../config/config.css';

type Subscription = Schemas['Subscription'];
type Created = Schemas['SubscriptionCreated'];
type CreateBody = NonNullable<paths['/api/subscriptions']['post']['requestBody']>['content']['application/json'];
type UpdateBody = NonNullable<paths['/api/subscriptions/{id}']['patch']['requestBody']>['content']['application/json'];

/**
 * The form's state, named by the API's paths so the API's issues land on their fields. The
 * structured values are typed as text (types and fields one per line, headers `name: value` per
 * line, the filter as JSON) and turned into the request here.
 */
interface SubscriptionForm {
  url: string;
  description: string;
  event_types: string;
  filter: string;
  fields: string;
  headers: string;
  strict_order: boolean;
  affiliate_id: string;
  active: boolean;
}

const empty = (): SubscriptionForm => ({
  url: '',
  description: '',
  event_types: 'conversion.*',
  filter: '',
  fields: '',
  headers: '',
  strict_order: false,
  affiliate_id: '',
  active: true,
});

const toForm = (s: Subscription): SubscriptionForm => ({
  url: s.url,
  description: s.description ?? '',
  event_types: toLines(s.event_types),
  filter: Object.keys(s.filter).length > 0 ? JSON.stringify(s.filter, null, 2) : '',
  fields: toLines(s.fields ?? []),
  headers: Object.entries(s.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n'),
  strict_order: s.strict_order,
  affiliate_id: s.affiliate_id ?? '',
  active: s.active,
});

/** The typed text as request values, or the field errors that keep it from being sent. */
function parse(
  s: SubscriptionForm,
): { errors: Record<string, string> } | { filter: Record<string, unknown>; headers: Record<string, string> } {
  const errors: Record<string, string> = {};
  let filter: Record<string, unknown> = {};
  if (s.filter.trim()) {
    try {
      const parsed: unknown = JSON.parse(s.filter);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        errors.filter = 'must be a JSON object, e.g. {"offer_id": "off_…"}';
      else filter = parsed as Record<string, unknown>;
    } catch (err) {
      errors.filter = `is not valid JSON: ${(err as Error).message}`;
    }
  }
  const headers: Record<string, string> = {};
  for (const line of fromLines(s.headers)) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      errors.headers = `"${line}" is not "name: value"`;
      break;
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return Object.keys(errors).length > 0 ? { errors } : { filter, headers };
}

const help = {
  url: 'The receiver: each event is POSTed here as JSON, signed (Standard Webhooks), retried for days until it answers 2xx.',
  types: (
    <>
      One per line: a type (<code>conversion.status_changed</code>), a group (<code>conversion.*</code>) or <code>*</code>. The{' '}
      <a href="/ui/events">Events</a> screen and <code>GET /api/event-types</code> list them.
    </>
  ),
  filter: (
    <>
      Optional, JSON on the event's data: <code>{'{"offer_id": "off_…", "status": {"in": ["approved", "reversed"]}}'}</code>; operators{' '}
      <code>eq ne in nin gt gte lt lte exists</code> (README "Subscriptions").
    </>
  ),
  fields: 'Optional, one per line: only these fields of the data are sent (e.g. conversion_id, status, payout). Empty: all of them.',
  headers: 'Optional, one per line as "name: value", e.g. a CRM\'s authorization. A secret-named header reads *** once saved.',
  strict: 'The next event only after the previous one was delivered or dead-lettered: the receiver sees 1, 2, 3 … in order.',
};

function Fields({ creating, affiliates }: { creating: boolean; affiliates: { id: string; name: string }[] }) {
  return (
    <>
      <TextField
        path="url"
        label="Receiver URL"
        required
        inputMode="url"
        placeholder="https://crm.example/hooks/postflow"
        help={help.url}
      />
      <TextField path="description" label="Description (optional)" placeholder="e.g. CRM: status changes of the summer offer" />
      <TextArea path="event_types" label="Event types" required rows={3} help={help.types} />
      <TextArea path="filter" label="Filter (optional)" rows={4} placeholder='{"offer_id": "off_…"}' help={help.filter} />
      <TextArea path="fields" label="Fields (optional)" rows={2} help={help.fields} />
      <TextArea path="headers" label="Custom headers (optional)" rows={2} placeholder="authorization: Bearer …" help={help.headers} />
      <CheckField path="strict_order" label="Strict order" help={help.strict} />
      {creating ? (
        <SelectField
          path="affiliate_id"
          label="Scope"
          options={[
            { value: '', label: "The whole network's events" },
            ...affiliates.map((a) => ({ value: a.id, label: `Only ${a.name}'s conversions (${a.id})` })),
          ]}
          help="Fixed once created."
        />
      ) : (
        <CheckField path="active" label="Active" help="Inactive: nothing is claimed or sent; reactivating goes on from where it stopped." />
      )}
    </>
  );
}

/** /ui/subscriptions/new: create one; its signing secret is shown this once. */
export function NewSubscriptionScreen() {
  const form = useForm<SubscriptionForm>('sub-new', empty());
  const submit = useSubmit<Created>(form);
  const [created, setCreated] = useState<Created>();
  const affiliates = useLoad(() => api.GET('/api/affiliates', { params: { query: { limit: 500 } } }), []);
  useUnsavedGuard(form.dirty && !created);
  const save = (e: Event) => {
    e.preventDefault();
    const s = form.state;
    const parsed = parse(s);
    if ('errors' in parsed) return submit.refuse(parsed.errors);
    const fields = fromLines(s.fields);
    void submit.run(
      () =>
        api.POST('/api/subscriptions', {
          body: {
            url: s.url,
            event_types: fromLines(s.event_types),
            ...(Object.keys(parsed.filter).length > 0 ? { filter: parsed.filter } : {}),
            ...(fields.length > 0 ? { fields } : {}),
            ...(Object.keys(parsed.headers).length > 0 ? { headers: parsed.headers } : {}),
            strict_order: s.strict_order,
            ...(s.description.trim() ? { description: s.description.trim() } : {}),
            ...(s.affiliate_id ? { affiliate_id: s.affiliate_id } : {}),
          } as CreateBody,
        }),
      (data) => {
        form.reset(s);
        setCreated(data);
      },
    );
  };
  if (created)
    return (
      <section aria-labelledby="sub-created-title">
        <h1 id="sub-created-title">Subscription {created.id} created</h1>
        <p class="notice ok" role="status">
          It receives the events from now on. Give the receiver its signing secret now: it is shown this once, never again (rotate it on the
          API if it is lost).
        </p>
        <CopyField id="sub-secret" label="Signing secret (Standard Webhooks)" value={created.signing_secret} />
        <p>
          <a href={`/ui/subscriptions/${created.id}`}>Open the subscription</a> · <a href="/ui/subscriptions">All subscriptions</a>
        </p>
      </section>
    );
  return (
    <section aria-labelledby="sub-new-title">
      <p>
        <a href="/ui/subscriptions">All subscriptions</a>
      </p>
      <h1 id="sub-new-title">New subscription</h1>
      <form onSubmit={save} noValidate class="entity-form" aria-labelledby="sub-new-title">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <Fields creating affiliates={affiliates.data?.data ?? []} />
        </FormScope>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Creating…' : 'Create subscription'}
        </button>
      </form>
    </section>
  );
}

/** /ui/subscriptions/:id/edit: change what it receives and how; only what changed is sent. */
export function EditSubscriptionScreen({ id }: { id: string }) {
  const loaded = useLoad(() => api.GET('/api/subscriptions/{id}', { params: { path: { id } } }), [id]);
  if (loaded.error) return <ErrorNotice>Could not load the subscription: {loaded.error}</ErrorNotice>;
  if (!loaded.data) return <Loading what="the subscription" />;
  return <EditForm key={id} subscription={loaded.data} />;
}

function EditForm({ subscription }: { subscription: Subscription }) {
  const { route } = useLocation();
  const initial = toForm(subscription);
  const form = useForm<SubscriptionForm>('sub', initial);
  const submit = useSubmit<Subscription>(form);
  useUnsavedGuard(form.dirty);
  const save = (e: Event) => {
    e.preventDefault();
    const s = form.state;
    const parsed = parse(s);
    if ('errors' in parsed) return submit.refuse(parsed.errors);
    const changed = (key: keyof SubscriptionForm) => s[key] !== initial[key];
    const fields = fromLines(s.fields);
    const body = {
      ...(changed('url') ? { url: s.url } : {}),
      ...(changed('description') && s.description.trim() ? { description: s.description.trim() } : {}),
      ...(changed('event_types') ? { event_types: fromLines(s.event_types) } : {}),
      ...(changed('filter') ? { filter: parsed.filter } : {}),
      ...(changed('fields') ? { fields: fields.length > 0 ? fields : null } : {}),
      // Unchanged headers are not sent: a secret one reads *** here and would be overwritten.
      ...(changed('headers') ? { headers: parsed.headers } : {}),
      ...(changed('strict_order') ? { strict_order: s.strict_order } : {}),
      ...(changed('active') ? { active: s.active } : {}),
    };
    void submit.run(
      () =>
        api.PATCH('/api/subscriptions/{id}', {
          params: { path: { id: subscription.id } },
          body: body as UpdateBody,
        }),
      () => {
        form.reset(s);
        route(`/ui/subscriptions/${subscription.id}`);
      },
    );
  };
  return (
    <section aria-labelledby="sub-edit-title">
      <p>
        <a href={`/ui/subscriptions/${subscription.id}`}>Subscription {subscription.id}</a>
      </p>
      <h1 id="sub-edit-title">Edit subscription {subscription.id}</h1>
      <form onSubmit={save} noValidate class="entity-form" aria-labelledby="sub-edit-title">
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <Fields creating={false} affiliates={[]} />
        </FormScope>
        <button type="submit" disabled={submit.busy || !form.dirty}>
          {submit.busy ? 'Saving…' : 'Save changes'}
        </button>
      </form>
    </section>
  );
}
