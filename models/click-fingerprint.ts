import { Schema, type Connection } from 'mongoose';

/**
 * The last counted click of one IP for one offer and affiliate, for offers with
 * duplicate_click_seconds: a click while `until` is in the future is a duplicate_click. The id is
 * the JSON of [offer, affiliate, ip], so the check and the claim are one single-document write.
 */
export const clickFingerprintSchema = new Schema(
  {
    _id: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'click_fingerprints', versionKey: false },
);
// MongoDB removes lapsed fingerprints itself; the check never relies on it (it compares `until`).
clickFingerprintSchema.index({ until: 1 }, { expireAfterSeconds: 0 });

export const clickFingerprintModel = (connection: Connection) => connection.model('ClickFingerprint', clickFingerprintSchema);
