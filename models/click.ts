import { Schema, type Connection } from 'mongoose';

export const clickSchema = new Schema(
  {
    _id: { type: String, required: true }, // the click id handed to the advertiser
    offer_id: { type: String, required: true },
    affiliate_id: { type: String, required: true },
    advertiser_id: { type: String, required: true },
    subs: { sub1: String, sub2: String, sub3: String, sub4: String, sub5: String },
    ip: String,
    user_agent: String,
    created_at: { type: Date, required: true },
    // A test click (POST /api/affiliates/{id}/test-postbacks): never counted, and a conversion on it is a test one.
    test: Boolean,
  },
  { collection: 'clicks', versionKey: false },
);

// Reports count clicks by time.
clickSchema.index({ created_at: 1 });

export const clickModel = (connection: Connection) => connection.model('Click', clickSchema);
