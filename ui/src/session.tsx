import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, onSignedOut, problemMessage, setCsrfToken, type Schemas } from './api/client';
import { signInPath, takeLinkToken, usedLinkNotice } from './sign-in-link';

type Session = Schemas['Session'];
export type Capability = Session['capabilities'][number];
type State = { kind: 'checking' } | { kind: 'signed-out'; notice?: string; problem?: boolean } | { kind: 'signed-in'; session: Session };

const SessionContext = createContext<{ session: Session; signOut: () => Promise<void> } | undefined>(undefined);

/** The signed-in session (principal, expiry) and sign-out, for screens inside the gate. */
export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the signed-in console');
  return value;
}

/**
 * Whether the session may make a change (not read-only) and, when one is named, holds that
 * capability. Screens hide the controls it may not use; the API refuses them anyway.
 */
export function useCan(): (capability?: Capability) => boolean {
  const { session } = useSession();
  return (capability) => !session.read_only && (capability === undefined || session.capabilities.includes(capability));
}

/** A partner (advertiser or affiliate) session, whose console shows only its own data. */
export const isPartnerSession = (s: Session) => s.realm === 'advertiser' || s.realm === 'affiliate';

/**
 * Shows its children only to a signed-in user: asks GET /api/session on load (the cookie is
 * HttpOnly, so only the server can tell), else shows the sign-in form. Opened from a sign-in
 * link (/ui/sign-in#link=…), it signs in with the link instead, replacing any current session.
 */
export function SessionGate({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const location = useLocation();
  const enter = (session: Session) => {
    setCsrfToken(session.csrf_token);
    setState({ kind: 'signed-in', session });
    // The sign-in route has no screen of its own: go to the realm's first one.
    if (location.path.replace(/\/$/, '') === signInPath) location.route('/ui/', true);
  };
  const leave = (notice?: string, problem?: boolean) => {
    setCsrfToken(undefined);
    setState({ kind: 'signed-out', notice, problem });
  };

  useEffect(() => {
    const unreachable = () => leave('the server could not be reached: check that postflow is running, then reload');
    const link = takeLinkToken();
    if (link)
      api.POST('/api/session', { body: { link } }).then(({ data }) => (data ? enter(data) : leave(usedLinkNotice, true)), unreachable);
    else api.GET('/api/session').then(({ data }) => (data ? enter(data) : leave()), unreachable);
    return onSignedOut(() => leave('Your session has ended. Sign in again to go on.'));
  }, []);

  if (state.kind === 'checking')
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (state.kind === 'signed-out') return <SignIn notice={state.notice} problem={state.problem} onSignedIn={enter} />;
  const signOut = async () => {
    await api.DELETE('/api/session');
    leave('You have signed out.');
  };
  return <SessionContext.Provider value={{ session: state.session, signOut }}>{children}</SessionContext.Provider>;
}

function SignIn({ notice, problem, onSignedIn }: { notice?: string; problem?: boolean; onSignedIn: (s: Session) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('key') as HTMLInputElement;
    setBusy(true);
    setError(undefined);
    try {
      const { data, error: problem } = await api.POST('/api/session', { body: { key: input.value } });
      // The key leaves the page as soon as it has been exchanged: only the HttpOnly cookie remains.
      input.value = '';
      if (data) onSignedIn(data);
      else setError(problemMessage(problem));
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>postflow console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        {notice && (
          <p class={problem ? 'notice error' : 'notice'} role={problem ? 'alert' : 'status'}>
            {notice}
          </p>
        )}
        <label for="key">Admin key or partner key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="current-password"
          required
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'key-error' : undefined}
        />
        {error && (
          <p id="key-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <p id="sign-in-help" class="help">
          Ops: the <code>ADMIN_API_KEY</code> (<code>npm start</code> prints it and keeps it in <code>.postflow/admin-api-key</code>) or
          your <code>pf_</code> key. Partners: your <code>pf_</code> key, or open the sign-in link the network sent you. The key is
          exchanged for a session cookie and not kept by the browser.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
