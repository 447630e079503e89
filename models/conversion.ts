import { Schema, type Connection } from 'mongoose';

/** The conversion projection: what ops and advertisers read; the workflow history is the full story. */
export const conversionSchema = new Schema(
  {
    _id: { type: String, required: true }, // the conversion id (cv_…)
    // Unique: a postback arriving after Temporal forgot the closed workflow is still a duplicate.
    dedupe_key: { type: String, required: true, unique: true },
    workflow_id: { type: String, required: true },
    click_id: { type: String, required: true, index: true },
    goal: { type: String, required: true },
    txid: { type: String },
    amount: { type: String }, // decimal string, never a float
    currency: { type: String },
    status: { type: String },
    received_at: { type: Date, required: true },
    recorded_at: { type: Date, required: true },
  },
  { collection: 'conversions', versionKey: false },
);

export function conversionModel(connection: Connection) {
  return connection.model('Conversion', conversionSchema);
}
