import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { api, onSignedOut, problemMessage, setCsrfToken, type Schemas } from './api/client';

type Session = Schemas['Session'];
type State = { kind: 'checking' } | { kind: 'signed-out'; notice?: string } | { kind: 'signed-in'; session: Session };

const SessionContext = createContext<{ session: Session; signOut: () => Promise<void> } | undefined>(undefined);

/** The signed-in session (principal, expiry) and sign-out, for screens inside the gate. */
export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the signed-in console');
  return value;
}

/**
 * Shows its children only to a signed-in user: asks GET /api/session on load (the cookie is
 * HttpOnly, so only the server can tell), else shows the sign-in form.
 */
export function SessionGate({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const enter = (session: Session) => {
    setCsrfToken(session.csrf_token);
    setState({ kind: 'signed-in', session });
  };
  const leave = (notice?: string) => {
    setCsrfToken(undefined);
    setState({ kind: 'signed-out', notice });
  };

  useEffect(() => {
    api.GET('/api/session').then(
      ({ data }) => (data ? enter(data) : leave()),
      () => leave('the server could not be reached: check that postflow is running, then reload'),
    );
    return onSignedOut(() => leave('Your session has ended. Sign in again to go on.'));
  }, []);

  if (state.kind === 'checking')
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (state.kind === 'signed-out') return <SignIn notice={state.notice} onSignedIn={enter} />;
  const signOut = async () => {
    await api.DELETE('/api/session');
    leave('You have signed out.');
  };
  return <SessionContext.Provider value={{ session: state.session, signOut }}>{children}</SessionContext.Provider>;
}

function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (s: Session) => void }) {
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
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label for="key">Admin key</label>
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
          The <code>ADMIN_API_KEY</code>; <code>npm start</code> prints it and keeps it in <code>.postflow/admin-api-key</code>. It is
          exchanged for a session cookie and not kept by the browser.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
