import { Schema, type Connection } from 'mongoose';

export const advertiserSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    ip_allowlist: { type: [String], default: [] },
    // SHA-256 of the postback token: the token itself is shown once, at creation, and never stored.
    postback_token_hash: { type: String, required: true, unique: true },
    // A rotation (POST /api/advertisers/:id/token/rotate) keeps the replaced token's digest here; it
    // is accepted until rotation_overlap_ends_at, and after that only names the advertiser in its ingress log.
    previous_token_hash: { type: String },
    rotation_overlap_ends_at: { type: Date },
    rotated_at: { type: Date },
    active: { type: Boolean, default: true },
  },
  { collection: 'advertisers', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);

// The receipt route and the ingress log find an advertiser by either of its tokens.
advertiserSchema.index({ previous_token_hash: 1 }, { sparse: true });

export const advertiserModel = (connection: Connection) => connection.model('Advertiser', advertiserSchema);
