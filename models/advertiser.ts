import { Schema, type Connection } from 'mongoose';

export const advertiserSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    ip_allowlist: { type: [String], default: [] },
    // SHA-256 of the postback token: the token itself is shown once, at creation, and never stored.
    postback_token_hash: { type: String, required: true, unique: true },
    active: { type: Boolean, default: true },
  },
  { collection: 'advertisers', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);

export const advertiserModel = (connection: Connection) => connection.model('Advertiser', advertiserSchema);
