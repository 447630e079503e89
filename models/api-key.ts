import { Schema, type Connection } from 'mongoose';

/**
 * A scoped API key (api/access/keys.ts). The key itself is shown once; this keeps its SHA-256 and
 * the public prefix it starts with, which names it in lists and finds it on each request. Checked
 * on every request, not cached, so a revocation holds at once in every API process.
 */
export const apiKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The key's first characters (`pf_` + 16 hex): public, unique, and how a request finds its key. */
    prefix: { type: String, required: true, unique: true },
    hash: { type: String, required: true },
    name: { type: String, required: true },
    principal: { type: String, required: true },
    read_only: { type: Boolean, required: true },
    /** A partner's capabilities (api/access/principal.ts); staff keys hold all. */
    capabilities: { type: [String], default: undefined },
    expires_at: { type: Date, required: true },
    last_used_at: { type: Date, default: null },
    revoked_at: { type: Date, default: null },
    created_by: { type: String, required: true },
    /** Rotation: the key this one replaced, and the one that replaced this (which then ends after the overlap). */
    rotated_from: String,
    replaced_by: String,
  },
  { collection: 'api_keys', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: false } },
);
// A partner's keys (and the admin's list by principal).
apiKeySchema.index({ principal: 1, created_at: -1 });

export const apiKeyModel = (connection: Connection) => connection.model('ApiKey', apiKeySchema);
