import { Schema, type Connection } from 'mongoose';

/**
 * Network-wide settings, one document per setting (`_id` names it, `value` is what the admin API
 * validated). Today: `trafficback`, the global trafficback target.
 */
export const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'settings', versionKey: false, minimize: false, timestamps: { createdAt: false, updatedAt: 'updated_at' } },
);

export const settingModel = (connection: Connection) => connection.model('Setting', settingSchema);
