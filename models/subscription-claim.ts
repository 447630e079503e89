import { Schema, type Connection } from 'mongoose';

/**
 * The events a subscription's dispatcher took from the feed in one read, with the sequence
 * numbers it gave them: keyed by the feed cursor the read started from, written once
 * ($setOnInsert), so a retried or repeated read from that cursor finds the same events with the
 * same numbers, whatever changed in between (a new filter, more events settled). Sequence numbers
 * are therefore stored before any event is sent and never given twice or skipped.
 */
export const subscriptionClaimSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${subscription_id}:${after}`
    subscription_id: { type: String, required: true },
    after: { type: String, required: true }, // the feed cursor the read started after
    next: { type: String, required: true }, // where the following read starts
    events: {
      type: [
        {
          _id: false,
          event_id: String,
          sequence: Number,
          position: Number,
          occurred_at: Date,
          // The body as selected then (scope projection, field selection): what every attempt and replay sends.
          body: Schema.Types.Mixed,
        },
      ],
      required: true,
    },
    claimed_at: { type: Date, required: true },
  },
  { collection: 'subscription_claims', versionKey: false, minimize: false },
);

// Replay by cursor or time range, and one subscription's log, in sequence order.
subscriptionClaimSchema.index({ subscription_id: 1, 'events.sequence': 1 });
// Retention (events/retention.ts).
subscriptionClaimSchema.index({ claimed_at: 1 });

export const subscriptionClaimModel = (connection: Connection) => connection.model('SubscriptionClaim', subscriptionClaimSchema);
