import { ErrorBoundary, LocationProvider, Route, Router } from 'preact-iso';
import { Layout } from './components/layout';
import { EmptyState } from './components/notice';
import { routesByRealm } from './realms';
import { SessionGate, useSession } from './session';

function NotFound() {
  return (
    <EmptyState title="No such screen">
      <p>
        Pick one from the navigation above, or go to the <a href="/ui/">first screen</a>.
      </p>
    </EmptyState>
  );
}

/** The signed-in session's screens: its realm's route table (ui/src/realms), nothing else. */
function Screens() {
  const { session } = useSession();
  return (
    <Router>
      {routesByRealm[session.realm].map((r) => (
        <Route key={r.path} path={r.path} component={r.component} />
      ))}
      <Route default component={NotFound} />
    </Router>
  );
}

/** Every screen is a URL under /ui (filters in its query string), so reload, back and shared links show the same thing. */
export function App() {
  return (
    <LocationProvider scope="/ui">
      <SessionGate>
        <Layout>
          <ErrorBoundary>
            <Screens />
          </ErrorBoundary>
        </Layout>
      </SessionGate>
    </LocationProvider>
  );
}
