import { Schema, type Connection } from 'mongoose';

/**
 * One ops action taken through the API (api/audit.ts writes it): who, when, what, on which target
 * or filter, and how many things it touched. The id sorts by time (newTimeOrderedId), so the log
 * pages newest first by id alone and a time range is a range of ids. Never holds a secret: config
 * changes record which fields changed, not their values.
 */
export const auditEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    actor: {
      // The principal's name: admin, ops, advertiser:<id>, affiliate:<id>.
      role: { type: String, required: true },
      via: { type: String, required: true }, // key (ADMIN_API_KEY) | api_key | session
      key_id: String,
    },
    action: { type: String, required: true },
    target_type: String,
    target_id: String,
    // A bulk action's filter as it was applied (defaults filled in), and what it matched and started.
    filter: Schema.Types.Mixed,
    matched: Number,
    started: Number,
    truncated: Boolean,
    count: { type: Number, required: true },
    // What changed: field names for configuration, the new status and reason for a conversion.
    fields: { type: [String], default: undefined },
    status: String,
    reason: String,
    overlap_hours: Number,
    conversion_id: String, // a test postback's conversion
    request_id: String,
  },
  { collection: 'audit_entries', versionKey: false, minimize: false },
);
// Newest first within one action or one target (the audit screen's filters).
auditEntrySchema.index({ action: 1, _id: -1 });
auditEntrySchema.index({ target_id: 1, _id: -1 });

export const auditEntryModel = (connection: Connection) => connection.model('AuditEntry', auditEntrySchema);
