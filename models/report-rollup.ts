import { Schema, type Connection } from 'mongoose';

/**
 * Report roll-ups (domain/rollup.ts): per (UTC month, offer, affiliate, goal, currency), the
 * month's, each day's and each hour's counts and minor units, which the steps writing clicks,
 * conversions and ledger entries add to. `ops` holds the idempotency keys of deltas being applied
 * right now (rollups/apply.ts): a retried step finds its key there and adds nothing. Written
 * through the driver ($inc on dotted paths); the schema is there for the index and for reads.
 */
export const reportRollupSchema = new Schema(
  {
    _id: { type: String, required: true },
    month: { type: String, required: true },
    offer_id: { type: String, required: true },
    affiliate_id: { type: String, required: true },
    goal: { type: String, default: null },
    currency: { type: String, default: null },
    t: { type: Schema.Types.Mixed },
    d: { type: Schema.Types.Mixed },
    h: { type: Schema.Types.Mixed },
    ops: { type: [String], default: undefined },
  },
  { collection: 'report_rollups', versionKey: false, minimize: false },
);
// Reports read by month.
reportRollupSchema.index({ month: 1 });

/** One document, `built`, once the roll-ups hold everything (a new database, or after a rebuild). */
export const reportRollupStateSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true }, how: { type: String, required: true } },
  { collection: 'report_rollup_state', versionKey: false },
);

export const reportRollupModels = (connection: Connection) => ({
  Rollup: connection.model('ReportRollup', reportRollupSchema),
  RollupState: connection.model('ReportRollupState', reportRollupStateSchema),
});
