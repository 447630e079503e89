import { Schema, type Connection } from 'mongoose';

/**
 * The event records (the outbox): one document per event, written by the step that makes the
 * state change (events/record.ts), keyed by the event's deterministic id so a retried step writes
 * it once. The feed (events/feed.ts) reads them in `position` order; a position is given only to
 * an event already committed, by the sequencer (events/sequence.ts), so it never changes and no
 * reader can pass a gap that fills later.
 */
export const eventSchema = new Schema(
  {
    _id: { type: String, required: true }, // the event id (evt_…), events/ids.ts
    type: { type: String, required: true },
    schema_version: { type: Number, required: true },
    occurred_at: { type: Date, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    // Who it is about: the subscriptions' scopes and filters select on these without reading data.
    subject: { type: String, required: true },
    offer_id: String,
    affiliate_id: String,
    advertiser_id: String,
    test: Boolean,
    // Stamped by the database at the first write: the order the sequencer positions events in.
    recorded_at: Date,
    // The event's place among those one step recorded together (their stamps may tie).
    rank: Number,
    // Absent until the sequencer positions the event; then 1, 2, 3 … and never changed.
    position: Number,
    // true until positioned (a sparse index finds the few waiting without scanning the rest).
    unpositioned: Boolean,
  },
  { collection: 'events', versionKey: false, minimize: false },
);

// The feed: keyset paging by position (unique: a position names one event, whoever assigned it).
eventSchema.index({ position: 1 }, { unique: true, sparse: true });
// The sequencer's queue: the events still without a position, oldest first.
eventSchema.index({ unpositioned: 1, recorded_at: 1, rank: 1, _id: 1 }, { sparse: true });
// Listing by type over time (the console, replay by time range and type), and the retention sweep.
eventSchema.index({ type: 1, occurred_at: 1 });
eventSchema.index({ occurred_at: 1 });
// The feed with a types filter: the positions of the chosen types only.
eventSchema.index({ type: 1, position: 1 });
// One conversion's (or endpoint's, or cap window's) events.
eventSchema.index({ subject: 1, position: 1 });

export const eventModel = (connection: Connection) => connection.model('Event', eventSchema);
