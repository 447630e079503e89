import { Schema, type Connection } from 'mongoose';

/**
 * Report roll-ups (domain/rollup.ts): per (UTC day | UTC month, offer, affiliate, goal, currency),
 * counts and minor units that the steps writing clicks, conversions and ledger entries add to.
 * `ops` holds the idempotency keys of deltas being applied right now (rollups/apply.ts): a retried
 * step finds its key there and adds nothing. Written through the driver ($inc on dotted paths);
 * the schemas exist for the indexes and for reads.
 */
const figures = { type: Schema.Types.Mixed, default: undefined };
const keyFields = {
  _id: { type: String, required: true },
  offer_id: { type: String, required: true },
  affiliate_id: { type: String, required: true },
  goal: { type: String, default: null },
  currency: { type: String, default: null },
  t: figures,
  ops: { type: [String], default: undefined },
};

export const reportRollupDaySchema = new Schema(
  { ...keyFields, day: { type: String, required: true }, h: figures },
  { collection: 'report_rollup_days', versionKey: false, minimize: false },
);
export const reportRollupMonthSchema = new Schema(
  { ...keyFields, month: { type: String, required: true } },
  { collection: 'report_rollup_months', versionKey: false, minimize: false },
);
// Reports read by span.
reportRollupDaySchema.index({ day: 1 });
reportRollupMonthSchema.index({ month: 1 });

/** One document, `built`, once the roll-ups hold everything (a new database, or after a rebuild). */
export const reportRollupStateSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true }, how: { type: String, required: true } },
  { collection: 'report_rollup_state', versionKey: false },
);

export const reportRollupModels = (connection: Connection) => ({
  RollupDay: connection.model('ReportRollupDay', reportRollupDaySchema),
  RollupMonth: connection.model('ReportRollupMonth', reportRollupMonthSchema),
  RollupState: connection.model('ReportRollupState', reportRollupStateSchema),
});
