import { Schema, type Connection } from 'mongoose';

/**
 * One document per cap and window (and affiliate, for per-affiliate caps). `reserved` never
 * exceeds `limit`: every reservation is one conditional single-document update, and the
 * conversion ids in `reservations` make a retried reservation a no-op.
 */
export const capCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    offer_id: { type: String, required: true },
    cap_id: { type: String, required: true },
    window: { type: String, required: true },
    affiliate_id: String,
    metric: { type: String, required: true },
    limit: { type: Number, required: true }, // a count, or minor units for payout caps
    reserved: { type: Number, required: true, default: 0 },
    reservations: { type: [{ _id: false, id: String, amount: Number }], default: [] },
  },
  { collection: 'cap_counters', versionKey: false },
);

// The overview's use of a per-affiliate cap: its counters in the current window.
capCounterSchema.index({ offer_id: 1, cap_id: 1, window: 1 });

export const capCounterModel = (connection: Connection) => connection.model('CapCounter', capCounterSchema);
