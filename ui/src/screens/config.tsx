import { lazy, Route, Router, useLocation } from 'preact-iso';
import { EmptyState } from '../components/notice';
import { useSession } from '../session';
import { AdvertiserList, AdvertiserNew, AdvertiserPage } from './config/advertisers';
import { AffiliateList, AffiliateNew, AffiliatePage } from './config/affiliates';
import { GlobalTrafficback } from './config/global-trafficback';
import { MmpIntegrationPage } from './config/mmp-lazy';
import { OfferList, OfferNew, OfferPage } from './config/offers';
import { PostbackEndpointPage, PostbackEndpointsPage } from './config/postbacks';
import './config/config.css';

// Keys and sign-in links are the admin's alone and rarely visited: their own chunk.
const PartnerAccessScreen = lazy(() => import('./partners').then((m) => m.PartnerAccessScreen));

const sections = [
  { path: '/ui/config/advertisers', label: 'Advertisers' },
  { path: '/ui/config/affiliates', label: 'Affiliates' },
  { path: '/ui/config/offers', label: 'Offers' },
] as const;
const adminSections = [{ path: '/ui/config/partners', label: 'Partner access' }] as const;

/** Where to start: what each part is for, in the order a new setup needs them; then the network-wide trafficback target. */
function ConfigHome() {
  return (
    <>
      <section aria-labelledby="setup-title">
        <h2 id="setup-title">Setting up a campaign</h2>
        <ol class="steps">
          <li>
            <a href="/ui/config/advertisers/new">Create an advertiser</a>: it gets a postback token (shown once) and the postback URL its
            server calls for each conversion.
          </li>
          <li>
            <a href="/ui/config/affiliates/new">Create an affiliate</a>: the publisher that sends traffic.
          </li>
          <li>
            <a href="/ui/config/offers/new">Create an offer</a> for the advertiser: its landing page, goals with payout and revenue, caps,
            fraud rules and trafficback. The affiliate's page then shows its tracking link.
          </li>
          <li>
            Add the affiliate's <strong>postback endpoint</strong> (on its page) so its tracker hears of each conversion.
          </li>
        </ol>
        <p>
          Or go to the <a href="/ui/config/advertisers">advertisers</a>, <a href="/ui/config/affiliates">affiliates</a> or{' '}
          <a href="/ui/config/offers">offers</a>.
        </p>
      </section>
      <GlobalTrafficback />
    </>
  );
}

function NoSuchPage() {
  return (
    <EmptyState title="No such configuration page">
      <p>
        Pick <a href="/ui/config/advertisers">advertisers</a>, <a href="/ui/config/affiliates">affiliates</a> or{' '}
        <a href="/ui/config/offers">offers</a>.
      </p>
    </EmptyState>
  );
}

/** Configuration: advertisers, affiliates, offers and affiliates' postback endpoints, each a URL under /ui/config. */
export function ConfigurationScreen() {
  const { path } = useLocation();
  const { session } = useSession();
  const tabs = session.realm === 'admin' ? [...sections, ...adminSections] : sections;
  return (
    <div class="config">
      <h1>Configuration</h1>
      <nav aria-label="Configuration" class="tabs">
        <ul>
          {tabs.map((s) => (
            <li key={s.path}>
              <a href={s.path} aria-current={path === s.path ? 'page' : path.startsWith(`${s.path}/`) ? 'true' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Router>
        <Route path="/" component={ConfigHome} />
        <Route path="/advertisers" component={AdvertiserList} />
        <Route path="/advertisers/new" component={AdvertiserNew} />
        <Route path="/advertisers/:id" component={AdvertiserPage} />
        <Route path="/affiliates" component={AffiliateList} />
        <Route path="/affiliates/new" component={AffiliateNew} />
        <Route path="/affiliates/:id" component={AffiliatePage} />
        <Route path="/affiliates/:id/postbacks" component={PostbackEndpointsPage} />
        <Route path="/affiliates/:id/postbacks/:endpointId" component={PostbackEndpointPage} />
        <Route path="/offers" component={OfferList} />
        <Route path="/offers/new" component={OfferNew} />
        <Route path="/offers/:id" component={OfferPage} />
        <Route path="/offers/:id/mmp/:mmpId" component={MmpIntegrationPage} />
        <Route path="/partners" component={PartnerAccessScreen} />
        <Route path="/partners/*" component={PartnerAccessScreen} />
        <Route default component={NoSuchPage} />
      </Router>
    </div>
  );
}
