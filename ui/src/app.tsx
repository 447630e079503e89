import { ErrorBoundary, lazy, LocationProvider, Route, Router } from 'preact-iso';
import { Layout } from './components/layout';
import { EmptyState } from './components/notice';
import { AuditScreen } from './screens/audit';
import { ConversionScreen } from './screens/conversion';
import { ConversionsScreen } from './screens/conversions';
import { DeliveriesScreen } from './screens/deliveries';
import { LiveScreen } from './screens/live';
import { OverviewScreen } from './screens/overview';
import { SessionGate } from './session';

// The configuration forms are the console's largest screen and the least visited: fetched when first opened.
const ConfigurationScreen = lazy(() => import('./screens/config').then((m) => m.ConfigurationScreen));

function NotFound() {
  return (
    <EmptyState title="No such screen">
      <p>
        Pick one from the navigation above, or go to the <a href="/ui/">overview</a>.
      </p>
    </EmptyState>
  );
}

/** Every screen is a URL under /ui (filters in its query string), so reload, back and shared links show the same thing. */
export function App() {
  return (
    <LocationProvider scope="/ui">
      <SessionGate>
        <Layout>
          <ErrorBoundary>
            <Router>
              <Route path="/ui/" component={OverviewScreen} />
              <Route path="/ui/conversions" component={ConversionsScreen} />
              <Route path="/ui/conversions/:id" component={ConversionScreen} />
              <Route path="/ui/deliveries" component={DeliveriesScreen} />
              <Route path="/ui/live" component={LiveScreen} />
              <Route path="/ui/config/*" component={ConfigurationScreen} />
              <Route path="/ui/config" component={ConfigurationScreen} />
              <Route path="/ui/audit" component={AuditScreen} />
              <Route default component={NotFound} />
            </Router>
          </ErrorBoundary>
        </Layout>
      </SessionGate>
    </LocationProvider>
  );
}
