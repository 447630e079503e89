import type { Schemas } from '../api/client';
import { advertiserRoutes } from './advertiser';
import { affiliateRoutes } from './affiliate';
import type { ScreenRoute } from './route-table';
import { staffRoutes } from './staff';

export type { ScreenRoute } from './route-table';

/**
 * Which screens a session gets, by its realm (GET /api/session). Admin and ops share the full
 * console; a partner gets only its own table, so a screen it may not use has no route and no link.
 */
export const routesByRealm: Record<Schemas['Session']['realm'], ScreenRoute[]> = {
  admin: staffRoutes,
  ops: staffRoutes,
  advertiser: advertiserRoutes,
  affiliate: affiliateRoutes,
};
