import type { Connection } from 'mongoose';
import { advertiserModel } from './advertiser';
import { apiKeyModel } from './api-key';
import { auditEntryModel } from './audit-entry';
import { affiliateModel } from './affiliate';
import { capCounterModel } from './cap-counter';
import { clickModel } from './click';
import { clickFingerprintModel } from './click-fingerprint';
import { conversionModel } from './conversion';
import { deliveryModel } from './delivery';
import { deliveryAttemptModel } from './delivery-attempt';
import { eventModel } from './event';
import { eventSequenceModel } from './event-sequence';
import { ingressLogEntryModel } from './ingress-log-entry';
import { ledgerEntryModel } from './ledger-entry';
import { mmpEventLogModel } from './mmp-event-log';
import { mmpIntegrationModel } from './mmp-integration';
import { offerModel } from './offer';
import { portalLinkModel } from './portal-link';
import { postbackEndpointModel } from './postback-endpoint';
import { reportRollupModels } from './report-rollup';
import { sessionModel } from './session';
import { settingModel } from './setting';
import { subscriptionModel } from './subscription';
import { subscriptionClaimModel } from './subscription-claim';
import { subscriptionAttemptModel, subscriptionDeliveryModel } from './subscription-delivery';
import { testPostbackCounterModel } from './test-postback-counter';

/** Models bound to one connection, so tests can give each file its own database. */
export function createModels(connection: Connection) {
  return {
    Advertiser: advertiserModel(connection),
    Affiliate: affiliateModel(connection),
    Offer: offerModel(connection),
    Click: clickModel(connection),
    ClickFingerprint: clickFingerprintModel(connection),
    Conversion: conversionModel(connection),
    CapCounter: capCounterModel(connection),
    LedgerEntry: ledgerEntryModel(connection),
    MmpIntegration: mmpIntegrationModel(connection),
    MmpEventLog: mmpEventLogModel(connection),
    PostbackEndpoint: postbackEndpointModel(connection),
    Delivery: deliveryModel(connection),
    DeliveryAttempt: deliveryAttemptModel(connection),
    Session: sessionModel(connection),
    Setting: settingModel(connection),
    ApiKey: apiKeyModel(connection),
    PortalLink: portalLinkModel(connection),
    AuditEntry: auditEntryModel(connection),
    IngressLogEntry: ingressLogEntryModel(connection),
    TestPostbackCounter: testPostbackCounterModel(connection),
    Subscription: subscriptionModel(connection),
    Event: eventModel(connection),
    EventSequence: eventSequenceModel(connection),
    SubscriptionClaim: subscriptionClaimModel(connection),
    SubscriptionDelivery: subscriptionDeliveryModel(connection),
    SubscriptionAttempt: subscriptionAttemptModel(connection),
    ...reportRollupModels(connection),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Builds every index before traffic arrives, so uniqueness holds from the first write. */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
}
