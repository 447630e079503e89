/**
 * Pure conversion types and rules shared by api, activities and workflows.
 * No I/O and no Node built-ins here: workflow code imports this file.
 */
import type { LifecycleStatus } from './status';

/** Statuses an advertiser may send in a postback. */
export const postbackStatuses = ['approved', 'pending', 'declined', 'reversed'] as const;
export type PostbackStatus = (typeof postbackStatuses)[number];

/** What the edge hands to the conversion workflow: plain JSON, one object. */
export interface ConversionInput {
  conversionId: string;
  dedupeKey: string;
  /** See singleConversionKey; absent in histories recorded before it existed. */
  singleKey?: string;
  clickId: string;
  offerId: string;
  affiliateId: string;
  advertiserId: string;
  goal: string;
  txid?: string;
  /** Sale amount, decimal string in major units, e.g. "12.50"; never a float. */
  amount?: string;
  currency?: string;
  /** The status the advertiser sent with the first postback, if any. */
  status?: PostbackStatus;
  /**
   * With a first status of declined: the reason code and its detail instead of advertiser_declined
   * (an MMP's rejected install arriving before its install). Absent in older histories.
   */
  decline?: { code: string; detail: string };
  /** The postback's client IP. */
  ip?: string;
  /** ISO 8601, UTC: when the API accepted the postback. */
  receivedAt: string;
  /** How long an approved conversion's workflow waits for a reversal before it closes. */
  reversalWindowHours: number;
  /**
   * A test conversion (a test click's): screened, attributed and delivered for real, but it takes
   * no cap place, books no ledger line and counts in no report. Absent on real ones.
   */
  test?: boolean;
}

/** A status change asked for by a later postback (advertiser) or by ops. */
export interface StatusChange {
  status: LifecycleStatus;
  /** The reason code the change records. */
  reason?: string;
  /** Its free text (e.g. the MMP's own rejection reason); default: the code. Absent in older histories. */
  detail?: string;
  // `advertiser:<id>`: an advertiser principal through the API (api/acting-party.ts); 'advertiser': its postback.
  actor: 'advertiser' | 'ops' | 'system' | `advertiser:${string}`;
}

/** What the workflow reports about itself (query and update results, workflow result). */
export interface ConversionView {
  conversionId: string;
  status: LifecycleStatus;
  reasonCodes: string[];
  payoutMinor: number;
  revenueMinor: number;
  currency: string;
  /** Number of status transitions applied so far. */
  seq: number;
}

export const DEFAULT_GOAL = 'default';

/**
 * The business key that makes a postback a duplicate: (advertiser, offer, goal, txid) when the
 * advertiser sends a transaction id, else (click, goal). JSON array encoding, so no value can
 * forge a delimiter and collide with another key.
 */
export function dedupeKey(fields: { advertiserId: string; offerId: string; clickId: string; goal: string; txid?: string }): string {
  return fields.txid !== undefined
    ? JSON.stringify(['txid', fields.advertiserId, fields.offerId, fields.goal, fields.txid])
    : JSON.stringify(['click', fields.clickId, fields.goal]);
}

/**
 * One conversion per click and goal unless the goal allows several: the projection's unique
 * `single_key` holds this for such goals (and the conversion's own dedupe key otherwise), so two
 * different txids posted at once on one click cannot both become conversions.
 */
export function singleConversionKey(fields: { clickId: string; goal: string; allowMultiple: boolean; dedupeKey: string }): string {
  return fields.allowMultiple ? fields.dedupeKey : JSON.stringify(['single', fields.clickId, fields.goal]);
}
