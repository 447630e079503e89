import { Schema, type Connection } from 'mongoose';

/**
 * An event subscription (README "Subscriptions"): a receiver's URL and which events it gets
 * (type patterns, a content filter, a field selection), signed with its own Standard Webhooks
 * secret. `affiliate_id` is its scope: unset, the network's events; set, only events about that
 * affiliate's own conversions, enforced at delivery whatever the filter says. Like an endpoint, a
 * failing subscription is paused by the breaker (paused_until), never switched off.
 */
export const subscriptionSchema = new Schema(
  {
    _id: { type: String, required: true }, // sub_…
    url: { type: String, required: true },
    event_types: { type: [String], required: true },
    filter: { type: Schema.Types.Mixed, default: {} },
    fields: { type: [String], default: undefined }, // absent: all of `data`
    // Sent with every request; names already refused when hop-by-hop or ours (api/schemas/subscription.ts).
    headers: { type: Schema.Types.Mixed, default: {} },
    strict_order: { type: Boolean, default: false },
    affiliate_id: { type: String, default: null },
    description: String,
    created_by: { type: String, required: true }, // the principal's name
    // Needed in clear to sign; shown once at creation and at each rotation, never logged.
    signing_secret: { type: String, required: true },
    previous_signing_secret: String,
    previous_signing_secret_expires_at: Date,
    active: { type: Boolean, default: true },
    deactivated_reason: String,
    paused: { type: Boolean, default: false },
    paused_at: { type: Date, default: null },
    // The breaker, as on postback endpoints (activities/endpoint-breaker.ts).
    consecutive_failures: { type: Number, default: 0 },
    last_failed_attempt: String,
    paused_until: { type: Date, default: null },
    // Where its dispatcher is (activities/subscription-claim.ts): the feed position read up to and
    // the last sequence number given, moved together and only forward.
    feed_position: Number,
    last_sequence: { type: Number, default: 0 },
  },
  {
    collection: 'subscriptions',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

// A partner's own list, and the network's.
subscriptionSchema.index({ affiliate_id: 1, _id: 1 });

export const subscriptionModel = (connection: Connection) => connection.model('Subscription', subscriptionSchema);
