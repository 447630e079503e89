import { Schema, type Connection } from 'mongoose';

/**
 * One call to an advertiser's postback routes (/postback, /postback/status), accepted or refused,
 * as api/ingress-log/ records it. The id sorts by time (newTimeOrderedId), so the log pages newest
 * first by id and a time range is a range of ids. Never holds the token: the parameters are kept
 * with every secret-looking one masked (api/ingress-log/params.ts).
 */
export const ingressLogEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    // The retention in force when the row was written; MongoDB's TTL monitor removes the row then.
    expires_at: { type: Date, required: true },
    // Whose call it was: the token's advertiser, else the click's; null when neither names one.
    advertiser_id: { type: String, default: null },
    // Whether the call proved to be that advertiser's (its token matched); false for a refused token.
    authenticated: { type: Boolean, required: true },
    route: { type: String, required: true },
    method: { type: String, required: true },
    params: { type: [{ _id: false, name: String, value: Schema.Types.Mixed }], default: [] },
    http_status: { type: Number, required: true },
    result: { type: String, required: true },
    message: String,
    conversion_id: String,
    ip: String,
    request_id: String,
  },
  { collection: 'ingress_log', versionKey: false, minimize: false },
);
// An advertiser's log newest first (the list's filter, and the trim to its row budget).
ingressLogEntrySchema.index({ advertiser_id: 1, _id: -1 });
// A real MongoDB drops rows itself; the embedded store has no TTL monitor, so api/ingress-log/prune.ts also sweeps.
ingressLogEntrySchema.index({ expires_at: 1 }, { expireAfterSeconds: 0 });

export const ingressLogEntryModel = (connection: Connection) => connection.model('IngressLogEntry', ingressLogEntrySchema);
