import { Schema, type Connection } from 'mongoose';

/**
 * MMP postbacks that made no conversion and changed none (an unmapped event, one outside the
 * post-install window, a kind no goal takes, no or an unknown click id, a rejection or fraud notice
 * with nothing to act on): kept with the raw call (secrets masked) and the reason, for ops.
 */
export const mmpEventLogSchema = new Schema(
  {
    _id: { type: String, required: true },
    integration_id: { type: String, required: true },
    offer_id: { type: String, required: true },
    vendor: { type: String, required: true },
    reason: { type: String, required: true },
    detail: { type: String, required: true },
    kind: String,
    event: String,
    click_id: String,
    raw: { type: Schema.Types.Mixed, required: true },
    received_at: { type: Date, required: true },
    expires_at: { type: Date, required: true },
  },
  { collection: 'mmp_event_log', versionKey: false },
);
// An integration's log, newest first; MongoDB drops rows past their expiry.
mmpEventLogSchema.index({ integration_id: 1, received_at: -1 });
mmpEventLogSchema.index({ expires_at: 1 }, { expireAfterSeconds: 0 });

export const mmpEventLogModel = (connection: Connection) => connection.model('MmpEventLog', mmpEventLogSchema);
