import { Schema, type Connection } from 'mongoose';

/**
 * One event for one endpoint. The event id is what receivers de-duplicate on: the same on every
 * attempt and every redelivery. Statuses: pending → delivering → succeeded | failed (permanent
 * 4xx) | dead_lettered (attempts exhausted, endpoint gone or inactive); failed and
 * dead_lettered are redeliverable.
 */
export const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    event_id: { type: String, required: true },
    event: { type: String, required: true },
    conversion_id: { type: String, required: true },
    affiliate_id: { type: String, required: true },
    endpoint_id: { type: String, required: true },
    offer_id: { type: String, required: true },
    status: { type: String, required: true },
    status_reason: String,
    run: { type: Number, default: 0 }, // 0 for the first delivery, +1 per redelivery
    attempt_count: { type: Number, default: 0 }, // attempts in the current run
    last_status_code: Number,
    last_error: String,
    next_attempt_at: Date,
    delivered_at: Date,
    // Macro values as they were when the event happened; rendered into the URL at send time.
    values: { type: Schema.Types.Mixed, required: true },
    occurred_at: { type: Date, required: true },
    // The delivery of a test conversion: marked in the postback ({is_test}, X-Postflow-Test), left out of the overview.
    test: Boolean,
    // Stamped by the database ($currentDate) at each outcome (an attempt to retry, the end of a
    // run): the live stream's order (api/live).
    changed_at: Date,
  },
  {
    collection: 'deliveries',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
deliverySchema.index({ affiliate_id: 1, status: 1, created_at: -1 });
deliverySchema.index({ conversion_id: 1 });
deliverySchema.index({ event_id: 1 });
// Ops' lists: dead letters across affiliates, and one endpoint's deliveries.
deliverySchema.index({ status: 1, created_at: -1 });
deliverySchema.index({ endpoint_id: 1, created_at: -1 });
// The overview's dead-letter depth: dead letters by when they got there (their last write).
deliverySchema.index({ status: 1, updated_at: 1 });
// The live stream reads changes after a (changed_at, _id) position.
deliverySchema.index({ changed_at: 1, _id: 1 });

export const deliveryModel = (connection: Connection) => connection.model('Delivery', deliverySchema);
