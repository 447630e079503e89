/** The advertiser's console (realm `advertiser`): the screens its route table (ui/src/realms/advertiser.tsx) loads as one chunk. */
import './config/config.css';
import './advertiser/advertiser.css';

export { AdvertiserConversionScreen } from './advertiser/conversion';
export { AdvertiserConversionsScreen } from './advertiser/conversions';
export { AdvertiserOffersScreen } from './advertiser/offers';
export { PostbackLogScreen } from './advertiser/postback-log';
export { PostbackSetupScreen } from './advertiser/postback-setup';
