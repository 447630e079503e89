import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { routesByRealm } from '../realms';
import { isPartnerSession, useSession } from '../session';

/** The session's screens in the navigation: its realm's labelled routes, in table order (ui/src/realms). */
function navigation(realm: keyof typeof routesByRealm) {
  return routesByRealm[realm].flatMap((r) => (r.nav ? [{ path: r.path, label: r.nav }] : []));
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const { session, signOut } = useSession();
  const screens = navigation(session.realm);
  const current = (p: string) => (p === '/ui/' ? path === '/ui/' || path === '/ui' : path === p || path.startsWith(`${p}/`));
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/ui/">
          postflow
        </a>
        <nav aria-label="Screens">
          <ul>
            {screens.map((s) => (
              <li key={s.path}>
                <a href={s.path} aria-current={current(s.path) ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span title={`session ends ${new Date(session.expires_at).toLocaleString()}`}>
            {session.principal}
            {isPartnerSession(session) && session.read_only ? ' (read-only)' : ''}
          </span>
          <button type="button" class="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
