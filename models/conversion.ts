import { Schema, type Connection } from 'mongoose';

/**
 * The conversion projection: what ops and advertisers read. The workflow history is the full
 * story; this document is written by the workflow's activities, each write idempotent.
 */
export const conversionSchema = new Schema(
  {
    _id: { type: String, required: true }, // the conversion id (cv_…)
    // Unique: a postback arriving after Temporal forgot the closed workflow is still a duplicate.
    dedupe_key: { type: String, required: true, unique: true },
    // Unique: one conversion per click and goal unless the goal allows several (singleConversionKey).
    single_key: { type: String, unique: true, sparse: true },
    workflow_id: { type: String, required: true },
    advertiser_id: { type: String, required: true },
    offer_id: { type: String, required: true },
    affiliate_id: { type: String, required: true },
    click_id: { type: String, required: true, index: true },
    goal: { type: String, required: true },
    txid: String,
    amount: String, // the sale amount the advertiser sent, decimal string
    currency: String,
    payout_minor: Number,
    revenue_minor: Number,
    subs: { sub1: String, sub2: String, sub3: String, sub4: String, sub5: String },
    ip: String, // the postback's client IP (for the per-IP rule)
    status: { type: String, required: true },
    // Guards projection writes: a replayed or late write of an older transition changes nothing.
    status_seq: { type: Number, required: true, default: -1 },
    reason_codes: { type: [String], default: [] },
    fraud: { type: Schema.Types.Mixed },
    cap_reservations: { type: [String], default: [] },
    status_history: {
      type: [{ _id: false, seq: Number, from: String, to: String, reason: String, actor: String, at: Date }],
      default: [],
    },
    // false until the report roll-ups count it (activities/screen.ts); absent on conversions older than the roll-ups.
    rollup_created: Boolean,
    // A test conversion (README "Test postbacks"): no cap place, no ledger line, in no report.
    test: Boolean,
    received_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    // Stamped by the database ($currentDate) when the conversion is created and at each status
    // change: the live stream's order (api/live). updated_at is the step's own clock, taken before its writes.
    changed_at: Date,
  },
  { collection: 'conversions', versionKey: false, minimize: false },
);

// The per-IP fraud rule's range count, and the reporting/listing paths.
conversionSchema.index({ offer_id: 1, ip: 1, received_at: 1 });
conversionSchema.index({ received_at: -1 });
// The list's filters, each newest first, and the advertiser's receipt by txid.
conversionSchema.index({ offer_id: 1, received_at: -1 });
conversionSchema.index({ affiliate_id: 1, received_at: -1 });
conversionSchema.index({ advertiser_id: 1, received_at: -1 });
conversionSchema.index({ status: 1, received_at: -1 });
conversionSchema.index({ advertiser_id: 1, txid: 1, received_at: -1 });
// The live stream reads changes after a (changed_at, _id) position.
conversionSchema.index({ changed_at: 1, _id: 1 });
// The console's search: a txid typed alone (any advertiser), and the reason-code filter newest first.
conversionSchema.index({ txid: 1 }, { sparse: true });
conversionSchema.index({ reason_codes: 1, received_at: -1 });

export const conversionModel = (connection: Connection) => connection.model('Conversion', conversionSchema);
