import { lazy } from 'preact-iso';
import { AuditScreen } from '../screens/audit';
import { ConversionScreen } from '../screens/conversion';
import { ConversionsScreen } from '../screens/conversions';
import { DeliveriesScreen } from '../screens/deliveries';
import { EventsScreen } from '../screens/events';
import { LiveScreen } from '../screens/live';
import { OverviewScreen } from '../screens/overview';
import { SubscriptionScreen, SubscriptionsScreen } from '../screens/subscriptions';
import { TrafficbackScreen } from '../screens/trafficback';
import { EditSubscriptionScreen, NewSubscriptionScreen } from '../screens/subscriptions/form';
import type { ScreenRoute } from './route-table';

// The configuration forms are the console's largest screen and the least visited: fetched when first opened.
const ConfigurationScreen = lazy(() => import('../screens/config').then((m) => m.ConfigurationScreen));

/** The network's own console (admin and ops): every screen. */
export const staffRoutes: ScreenRoute[] = [
  { path: '/ui/', component: OverviewScreen, nav: 'Overview' },
  { path: '/ui/conversions', component: ConversionsScreen, nav: 'Conversions' },
  { path: '/ui/conversions/:id', component: ConversionScreen },
  { path: '/ui/deliveries', component: DeliveriesScreen, nav: 'Deliveries' },
  { path: '/ui/trafficback', component: TrafficbackScreen, nav: 'Trafficback' },
  { path: '/ui/live', component: LiveScreen, nav: 'Live' },
  { path: '/ui/events', component: EventsScreen, nav: 'Events' },
  { path: '/ui/subscriptions', component: SubscriptionsScreen, nav: 'Subscriptions' },
  { path: '/ui/subscriptions/new', component: NewSubscriptionScreen },
  { path: '/ui/subscriptions/:id', component: SubscriptionScreen },
  { path: '/ui/subscriptions/:id/edit', component: EditSubscriptionScreen },
  { path: '/ui/config/*', component: ConfigurationScreen },
  { path: '/ui/config', component: ConfigurationScreen, nav: 'Configuration' },
  { path: '/ui/audit', component: AuditScreen, nav: 'Audit log' },
];
