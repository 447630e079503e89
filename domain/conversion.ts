/**
 * Pure conversion types and rules shared by api, activities and workflows.
 * No I/O and no Node built-ins here: workflow code imports this file.
 */

export const conversionStatuses = ['approved', 'pending', 'declined', 'reversed'] as const;
export type ConversionStatus = (typeof conversionStatuses)[number];

/** What the edge hands to the conversion workflow: plain JSON, one object. */
export interface ConversionInput {
  conversionId: string;
  dedupeKey: string;
  clickId: string;
  goal: string;
  txid?: string;
  /** Decimal string in major units, e.g. "12.50"; never a float. */
  amount?: string;
  currency?: string;
  status?: ConversionStatus;
  /** ISO 8601, UTC: when the API accepted the postback. */
  receivedAt: string;
}

export interface ConversionResult {
  conversionId: string;
  outcome: 'recorded';
}

export const DEFAULT_GOAL = 'default';

/**
 * The business key that makes a postback a duplicate: (click, goal, txid?).
 * JSON array encoding so no value can forge a delimiter and collide with another key.
 * The pipeline issue widens this to (advertiser, offer, goal, txid) once offers exist.
 */
export function dedupeKey(fields: { clickId: string; goal: string; txid?: string }): string {
  return JSON.stringify(['click', fields.clickId, fields.goal, fields.txid ?? null]);
}

export function workflowIdFor(conversionId: string): string {
  return `conversion-${conversionId}`;
}
