import { Schema, type Connection } from 'mongoose';

/**
 * Double entry per status transition: what we owe the affiliate and what the advertiser owes
 * us. The _id is conversion + transition sequence + account, so a retried booking inserts
 * nothing new. Amounts are signed integers in minor units.
 */
export const ledgerEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    conversion_id: { type: String, required: true },
    seq: { type: Number, required: true },
    account: { type: String, required: true, enum: ['affiliate_payable', 'advertiser_receivable'] },
    affiliate_id: { type: String, required: true },
    advertiser_id: { type: String, required: true },
    offer_id: { type: String, required: true },
    amount_minor: { type: Number, required: true },
    currency: { type: String, required: true },
    status_from: { type: String, required: true },
    status_to: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: 'ledger_entries', versionKey: false },
);

// Query paths: a conversion's lines (timeline), an affiliate's balance, reports by booking time.
ledgerEntrySchema.index({ conversion_id: 1, seq: 1 });
ledgerEntrySchema.index({ affiliate_id: 1, account: 1, currency: 1 });
ledgerEntrySchema.index({ created_at: 1 });

export const ledgerEntryModel = (connection: Connection) => connection.model('LedgerEntry', ledgerEntrySchema);
