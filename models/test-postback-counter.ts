import { Schema, type Connection } from 'mongoose';

/**
 * Test postbacks fired for one party (affiliate or advertiser) in one UTC hour. `fired` never
 * passes the hourly bound: each fire is one conditional single-document update (api/test-postback-quota.ts).
 */
export const testPostbackCounterSchema = new Schema(
  {
    _id: { type: String, required: true }, // `<party id>:<hour, ISO>`
    fired: { type: Number, required: true, default: 0 },
    // Dropped by MongoDB once the hour is long gone (the embedded stand-in keeps them: a few bytes each).
    expires_at: { type: Date, required: true, expires: 0 },
  },
  { collection: 'test_postback_counters', versionKey: false },
);

export const testPostbackCounterModel = (connection: Connection) => connection.model('TestPostbackCounter', testPostbackCounterSchema);
