import { Schema, type Connection } from 'mongoose';

/**
 * A single-use sign-in link for a partner (POST /api/portal-links): opening it starts a console
 * session with the principal, capabilities and read-only flag it names. Only the token's SHA-256
 * is kept; `used_at` is set atomically by the one sign-in that consumes it.
 */
export const portalLinkSchema = new Schema(
  {
    _id: { type: String, required: true }, // SHA-256 of the token
    link_id: { type: String, required: true, unique: true },
    principal: { type: String, required: true },
    read_only: { type: Boolean, required: true },
    capabilities: { type: [String], default: undefined },
    expires_at: { type: Date, required: true },
    session_ttl_ms: { type: Number, required: true },
    used_at: { type: Date, default: null },
    created_by: { type: String, required: true },
  },
  { collection: 'portal_links', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: false } },
);
// Expired links go (MongoDB's TTL monitor); sign-in refuses them itself until then.
portalLinkSchema.index({ expires_at: 1 }, { expireAfterSeconds: 0 });

export const portalLinkModel = (connection: Connection) => connection.model('PortalLink', portalLinkSchema);
