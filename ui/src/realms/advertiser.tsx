import { PartnerHome } from '../screens/partner-home';
import type { ScreenRoute } from './route-table';

/** An advertiser's console: only its own offers, conversions and postbacks (the API confines every call). */
export const advertiserRoutes: ScreenRoute[] = [{ path: '/ui/', component: PartnerHome, nav: 'Home' }];
