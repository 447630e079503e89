import { Schema, type Connection } from 'mongoose';
import { deliveryAttemptSchema } from './delivery-attempt';

/**
 * One event for one subscription: the subscription's counterpart of a postback delivery
 * (models/delivery.ts), run by the same delivery workflow and activities (README "Subscriptions"),
 * kept apart so the affiliate postback lists, overview and live stream see only postbacks. The id
 * is derived from (subscription, event), so a retried claim plans it once; the body is the one the
 * claim selected, sent unchanged on every attempt, redelivery and replay.
 */
export const subscriptionDeliverySchema = new Schema(
  {
    _id: { type: String, required: true }, // sd_… (activities/subscription-dispatch.ts)
    subscription_id: { type: String, required: true },
    event_id: { type: String, required: true }, // the event's id: webhook-id, what receivers dedupe on
    type: { type: String, required: true },
    sequence: { type: Number, required: true }, // 1, 2, 3 … per subscription, without gaps
    body: { type: Schema.Types.Mixed, required: true },
    occurred_at: { type: Date, required: true },
    status: { type: String, required: true }, // as a postback delivery's: pending → delivering → succeeded | failed | dead_lettered
    status_reason: String,
    run: { type: Number, default: 0 },
    attempt_count: { type: Number, default: 0 },
    last_status_code: Number,
    last_error: String,
    next_attempt_at: Date,
    delivered_at: Date,
    changed_at: Date,
  },
  {
    collection: 'subscription_deliveries',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
// One subscription's log in order, replay by sequence; and by time (replay by time range), dead letters.
subscriptionDeliverySchema.index({ subscription_id: 1, sequence: 1 }, { unique: true });
subscriptionDeliverySchema.index({ subscription_id: 1, occurred_at: 1 });
subscriptionDeliverySchema.index({ subscription_id: 1, status: 1 });
// Retention (events/retention.ts): ended rows by when they last changed.
subscriptionDeliverySchema.index({ updated_at: 1 });

/** The attempt rows of subscription deliveries: the same row as a postback attempt's, in their own collection. */
const subscriptionAttemptSchema = deliveryAttemptSchema.clone();
subscriptionAttemptSchema.set('collection', 'subscription_attempts');

export const subscriptionDeliveryModel = (connection: Connection) => connection.model('SubscriptionDelivery', subscriptionDeliverySchema);
export const subscriptionAttemptModel = (connection: Connection) => connection.model('SubscriptionAttempt', subscriptionAttemptSchema);
