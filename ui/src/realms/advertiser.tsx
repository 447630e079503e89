import { lazy } from 'preact-iso';
import type * as AdvertiserScreens from '../screens/advertiser';
import type { ScreenRoute } from './route-table';

// One chunk for all of the advertiser's screens: staff and affiliate sessions never fetch it.
const screen = (name: keyof typeof AdvertiserScreens) => lazy(() => import('../screens/advertiser').then((m) => m[name]));

/** An advertiser's console: only its own offers, conversions and postbacks (the API confines every call). */
export const advertiserRoutes: ScreenRoute[] = [
  { path: '/ui/', component: screen('AdvertiserOffersScreen'), nav: 'Offers' },
  { path: '/ui/conversions', component: screen('AdvertiserConversionsScreen'), nav: 'Conversions' },
  { path: '/ui/conversions/:id', component: screen('AdvertiserConversionScreen') },
  { path: '/ui/postback-log', component: screen('PostbackLogScreen'), nav: 'Postback log' },
  { path: '/ui/postback-setup', component: screen('PostbackSetupScreen'), nav: 'Postback setup' },
];
