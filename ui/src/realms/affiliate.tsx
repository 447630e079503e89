import { PartnerHome } from '../screens/partner-home';
import type { ScreenRoute } from './route-table';

/** An affiliate's console: only its own offers, conversions, balance and postbacks (the API confines every call). */
export const affiliateRoutes: ScreenRoute[] = [{ path: '/ui/', component: PartnerHome, nav: 'Home' }];
