import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { ErrorSummary, FormScope, SelectField, useForm } from '../config/form-kit';
import { When } from '../config/parts';
import { useSubmit } from '../config/use-submit';
import { AccessFields, chosenCapabilities, initialAccess, type AccessForm } from './access-fields';
import type { PartnerKind } from './capabilities';
import { ShownOnce } from './shown-once';

type Link = Schemas['PortalLink'];

const lifetimes = [
  { value: '60', label: '1 hour' },
  { value: '1440', label: '1 day' },
  { value: '4320', label: '3 days' },
  { value: '10080', label: '7 days' },
];

interface LinkForm extends AccessForm {
  expires_in_minutes: string;
}

/** A single-use link that signs a person at the partner in to this console, scoped to the partner. */
export function SignInLinkSection({ kind, partyId, name }: { kind: PartnerKind; partyId: string; name: string }) {
  const initial: LinkForm = { expires_in_minutes: '1440', ...initialAccess(kind) };
  const form = useForm<LinkForm>('link', initial);
  const submit = useSubmit<Link>(form);
  const [link, setLink] = useState<Link>();
  const send = (e: Event) => {
    e.preventDefault();
    void submit.run(
      () =>
        api.POST('/api/portal-links', {
          body: {
            principal: `${kind}:${partyId}`,
            read_only: form.state.read_only,
            capabilities: chosenCapabilities(form.state),
            expires_in_minutes: Number(form.state.expires_in_minutes),
          },
        }),
      (made) => {
        form.reset(initial);
        setLink(made);
      },
    );
  };
  return (
    <section aria-labelledby="link-title">
      <h3 id="link-title">Sign-in link</h3>
      <p class="help">
        For a person at {name}: opening the link signs them in to this console once, seeing only {name}'s data. There is no password to
        manage; when they need to come back later, send a new link (or give them a key).
      </p>
      {link && (
        <ShownOnce id="new-link" title={`Sign-in link for ${name}`} label="Sign-in link" value={link.url} onDone={() => setLink(undefined)}>
          <p>
            Send it to one person at {name} through a channel only they read. It works <strong>once</strong>, until{' '}
            <When at={link.expires_at} />: whoever opens it first is signed in as <code>{link.principal}</code>
            {link.read_only ? ', read-only' : ''}. If it expires unused, make a new one; if they find it already used and did not open it,
            someone else did: tell them, and make a new one.
          </p>
        </ShownOnce>
      )}
      <form onSubmit={send} noValidate class="entity-form" aria-labelledby="new-link-title">
        <h4 id="new-link-title">New sign-in link</h4>
        <ErrorSummary form={form} problem={submit.problem} />
        <FormScope form={form}>
          <SelectField
            path="expires_in_minutes"
            label="The link can be opened for"
            options={lifetimes}
            help="After that it is refused; the session it starts lasts the console's usual session length."
          />
          <AccessFields kind={kind} />
        </FormScope>
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Making the link…' : 'Make sign-in link'}
        </button>
      </form>
    </section>
  );
}
