import { Schema, type Connection } from 'mongoose';

export const affiliateSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    active: { type: Boolean, default: true },
  },
  { collection: 'affiliates', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);

export const affiliateModel = (connection: Connection) => connection.model('Affiliate', affiliateSchema);
