import { Schema, type Connection } from 'mongoose';

/**
 * An affiliate's postback endpoint (their tracker's URL). Global when offer_id is unset;
 * scoped to an offer (and goal) otherwise, and the most specific scope wins. A failing endpoint
 * is paused (paused_until), never switched off; only a 410 Gone deactivates it.
 */
export const postbackEndpointSchema = new Schema(
  {
    _id: { type: String, required: true },
    affiliate_id: { type: String, required: true },
    url: { type: String, required: true },
    method: { type: String, required: true, enum: ['GET', 'POST'] },
    events: { type: [String], required: true },
    offer_id: String,
    goal: String,
    body: String, // JSON template for POST; default: every macro
    // Needed in clear to sign; never returned by the API after creation, never logged.
    signing_secret: String,
    // The secret a rotation replaced: deliveries carry its signature too until it expires, so the
    // receiver can switch secrets without dropping a postback. Same rules as signing_secret.
    previous_signing_secret: String,
    previous_signing_secret_expires_at: Date,
    active: { type: Boolean, default: true },
    deactivated_reason: String,
    consecutive_failures: { type: Number, default: 0 },
    last_failed_attempt: String, // makes counting a failure idempotent
    paused_until: { type: Date, default: null },
    // Paused by its owner or ops (POST /api/postbacks/:id/pause), until resumed: unlike the
    // breaker's paused_until it has no end of its own. Deliveries wait without spending attempts.
    paused: { type: Boolean, default: false },
    paused_at: { type: Date, default: null },
  },
  {
    collection: 'postback_endpoints',
    versionKey: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

// Planning a delivery: the affiliate's active endpoints for an event (and the admin list).
postbackEndpointSchema.index({ affiliate_id: 1, active: 1, events: 1 });

export const postbackEndpointModel = (connection: Connection) => connection.model('PostbackEndpoint', postbackEndpointSchema);
