import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useSession } from '../session';

/** The screens in the navigation, in order; each path is a route in app.tsx. */
export const screens = [
  { path: '/ui/', label: 'Overview' },
  { path: '/ui/conversions', label: 'Conversions' },
  { path: '/ui/deliveries', label: 'Deliveries' },
  { path: '/ui/live', label: 'Live' },
  { path: '/ui/config', label: 'Configuration' },
  { path: '/ui/audit', label: 'Audit log' },
] as const;

export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const { session, signOut } = useSession();
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
          <span title={`session ends ${new Date(session.expires_at).toLocaleString()}`}>{session.principal}</span>
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
