import { Route, Router } from 'preact-iso';
import { EmptyState } from '../components/notice';
import { useSession } from '../session';
import { PartnersHome } from './partners/party-lists';
import { PartyAccessPage } from './partners/party-page';
import './partners/partners.css';

const AdvertiserAccess = () => <PartyAccessPage kind="advertiser" />;
const AffiliateAccess = () => <PartyAccessPage kind="affiliate" />;

/**
 * Partner access (/ui/config/partners): an advertiser's or affiliate's API keys and sign-in links.
 * Admin only, like the API's key routes: ops manage no credentials.
 */
export function PartnerAccessScreen() {
  const { session } = useSession();
  if (session.realm !== 'admin')
    return (
      <EmptyState title="Only the admin manages partner access">
        <p>Keys and sign-in links are credentials: ask the admin to create or revoke them.</p>
      </EmptyState>
    );
  return (
    <Router>
      <Route path="/" component={PartnersHome} />
      <Route path="/advertisers/:id" component={AdvertiserAccess} />
      <Route path="/affiliates/:id" component={AffiliateAccess} />
      <Route default component={PartnersHome} />
    </Router>
  );
}
