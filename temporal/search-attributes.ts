import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes set on conversion workflows, so ops can list conversions in the
 * Temporal UI and CLI, e.g. `temporal workflow list --query "PostflowClickId='abc'"`.
 * Prefixed so they cannot collide with another application's attributes in a shared namespace.
 */
export const searchAttributes = {
  clickId: defineSearchAttributeKey('PostflowClickId', 'KEYWORD'),
  offerId: defineSearchAttributeKey('PostflowOfferId', 'KEYWORD'),
  affiliateId: defineSearchAttributeKey('PostflowAffiliateId', 'KEYWORD'),
  advertiserId: defineSearchAttributeKey('PostflowAdvertiserId', 'KEYWORD'),
  goal: defineSearchAttributeKey('PostflowGoal', 'KEYWORD'),
  status: defineSearchAttributeKey('PostflowStatus', 'KEYWORD'),
} as const;

export const allSearchAttributeKeys = Object.values(searchAttributes);
