import { Schema, type Connection } from 'mongoose';

/** Every try is a row (id: delivery, run, attempt), so a retried activity rewrites its own row. */
export const deliveryAttemptSchema = new Schema(
  {
    _id: { type: String, required: true },
    delivery_id: { type: String, required: true },
    event_id: { type: String, required: true },
    endpoint_id: { type: String, required: true },
    run: { type: Number, required: true },
    attempt: { type: Number, required: true },
    method: { type: String, required: true },
    request_url: { type: String, required: true }, // secrets in the query string masked
    // What else was sent (activities/http/request-record.ts): secret-named headers and JSON fields masked, the body's first 1 KiB.
    request_headers: { type: Schema.Types.Mixed },
    request_body: String,
    outcome: { type: String, required: true },
    status_code: Number,
    duration_ms: Number,
    response_excerpt: String, // first 1 KiB
    error: String,
    at: { type: Date, required: true },
    next_attempt_at: Date,
    test: Boolean, // an attempt of a test delivery: left out of the overview's delivery figures
  },
  { collection: 'delivery_attempts', versionKey: false },
);
deliveryAttemptSchema.index({ delivery_id: 1, run: 1, attempt: 1 });
// The overview's delivery success rate and latency, by attempt time.
deliveryAttemptSchema.index({ at: 1 });
// Endpoint health: an endpoint's latest failure (attempts in a window use the `at` index above).
deliveryAttemptSchema.index({ endpoint_id: 1, at: -1 });

export const deliveryAttemptModel = (connection: Connection) => connection.model('DeliveryAttempt', deliveryAttemptSchema);
