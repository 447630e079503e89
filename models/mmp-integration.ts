import { Schema, type Connection } from 'mongoose';

/**
 * An offer's MMP integration (domain/mmp/): which vendor reports its installs and events, how
 * they map to goals, and the token the vendor's postbacks carry (its SHA-256 only; the token is
 * shown once). Stored as the admin API validated it.
 */
export const mmpIntegrationSchema = new Schema(
  {
    _id: { type: String, required: true },
    offer_id: { type: String, required: true },
    vendor: { type: String, required: true },
    /** SHA-256 of the token: how a postback finds its integration. */
    token_hash: { type: String, required: true, unique: true },
    token_prefix: { type: String, required: true },
    install_goal: { type: String },
    events: { type: Schema.Types.Mixed, default: [] },
    kind_goals: { type: Schema.Types.Mixed, default: {} },
    post_install_window_hours: { type: Number },
    link_base: { type: String },
    ip_allowlist: { type: [String], default: [] },
    active: { type: Boolean, default: true },
  },
  { collection: 'mmp_integrations', versionKey: false, minimize: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);
// One integration per offer and vendor.
mmpIntegrationSchema.index({ offer_id: 1, vendor: 1 }, { unique: true });

export const mmpIntegrationModel = (connection: Connection) => connection.model('MmpIntegration', mmpIntegrationSchema);
