import { Schema, type Connection } from 'mongoose';

/**
 * Offers are stored as the admin API validated them (zod owns the shape, domain/offer.ts the
 * type), so the nested parts are Mixed: one schema to keep in step, not two.
 */
export const offerSchema = new Schema(
  {
    _id: { type: String, required: true },
    advertiser_id: { type: String, required: true },
    name: { type: String, required: true },
    url: { type: String, required: true },
    currency: { type: String, required: true },
    attribution_window_hours: { type: Number, required: true },
    default_goal: { type: String, required: true },
    goals: { type: Schema.Types.Mixed, required: true },
    caps: { type: Schema.Types.Mixed, default: [] },
    fraud: { type: Schema.Types.Mixed, default: {} },
    affiliate_overrides: { type: Schema.Types.Mixed, default: [] },
    // Absent on offers saved before it existed: readers take 'category' (api/access/reason-detail.ts).
    partner_reason_detail: { type: String },
    // Offers from before the setting read as false: review stays with ops unless the network opts in.
    advertiser_can_review: { type: Boolean, default: false },
    // Trafficback (domain/trafficback.ts): where clicks go when this offer cannot take them.
    trafficback: { type: Schema.Types.Mixed },
    // Clicks after this instant go to trafficback as offer_expired; unset: never expires.
    expires_at: { type: Date },
    // A second click of one IP for this offer and affiliate within this many seconds is a duplicate_click.
    duplicate_click_seconds: { type: Number },
    // Clicks carrying one of these sub ids go to trafficback as blocked_sub (fraud.blocked_sub_ids rejects conversions).
    blocked_click_subs: { type: [String], default: undefined },
    active: { type: Boolean, default: true },
  },
  {
    collection: 'offers',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

// The admin list filtered by advertiser.
offerSchema.index({ advertiser_id: 1 });

export const offerModel = (connection: Connection) => connection.model('Offer', offerSchema);
