import { Schema, type Connection } from 'mongoose';

/**
 * A console sign-in (api/session.ts). Kept in the database, not in the process, so every API
 * process accepts it and signing out ends it everywhere at once.
 */
export const sessionSchema = new Schema(
  {
    // SHA-256 of the cookie's random value: a copy of this collection cannot be replayed as a cookie.
    _id: { type: String, required: true },
    principal: { type: String, required: true },
    read_only: { type: Boolean, default: false },
    // A partner's capabilities (api/access/principal.ts); unset: all its realm allows.
    capabilities: { type: [String], default: undefined },
    // The scoped key it was opened with: revoking that key ends the session too.
    key_id: String,
    // The synchronizer token state-changing calls must echo in X-CSRF-Token.
    csrf_token: { type: String, required: true },
    expires_at: { type: Date, required: true },
    last_seen_at: { type: Date, required: true },
  },
  { collection: 'sessions', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: false } },
);
// MongoDB removes expired sessions itself; the API also refuses them, since a TTL sweep runs about once a minute.
sessionSchema.index({ expires_at: 1 }, { expireAfterSeconds: 0 });

export const sessionModel = (connection: Connection) => connection.model('Session', sessionSchema);
