import { Schema, type Connection } from 'mongoose';

export const clickSchema = new Schema(
  {
    _id: { type: String, required: true }, // the click id handed to the advertiser
    offer_id: { type: String, required: true },
    affiliate_id: { type: String, required: true },
    // Absent on a trafficback click whose offer is unknown.
    advertiser_id: { type: String },
    subs: { sub1: String, sub2: String, sub3: String, sub4: String, sub5: String },
    ip: String,
    user_agent: String,
    created_at: { type: Date, required: true },
    // A test click (POST /api/affiliates/{id}/test-postbacks): never counted, and a conversion on it is a test one.
    test: Boolean,
    // Set when the click was not sent to its offer (domain/trafficback.ts): why, and where it went.
    // offer_id and affiliate_id are then the ones asked for, which may name nothing.
    trafficback: { type: Schema.Types.Mixed },
    // A click made for a fallback offer: the original click it continues, and how many offers deep.
    parent_click_id: String,
    trafficback_hops: Number,
  },
  { collection: 'clicks', versionKey: false },
);

// Reports count clicks by time.
clickSchema.index({ created_at: 1 });
// The trafficback list (GET /api/trafficback/clicks), newest first. Sparse: only trafficback clicks
// have the field, so the clicks that reach their offers add nothing to this index.
clickSchema.index({ 'trafficback.at': -1 }, { sparse: true });

export const clickModel = (connection: Connection) => connection.model('Click', clickSchema);
