import type { Schema } from 'mongoose';
import { capCounterSchema } from '../../models/cap-counter';
import { auditEntrySchema } from '../../models/audit-entry';
import { clickSchema } from '../../models/click';
import { conversionSchema } from '../../models/conversion';
import { deliverySchema } from '../../models/delivery';
import { deliveryAttemptSchema } from '../../models/delivery-attempt';
import { ledgerEntrySchema } from '../../models/ledger-entry';
import { offerSchema } from '../../models/offer';
import { postbackEndpointSchema } from '../../models/postback-endpoint';

/**
 * Every query the code runs, by the fields it filters on (equality first, then range/sort).
 * An index serves it when the query's fields are a prefix of the index's keys. Lookups by _id
 * need nothing. A new query path goes here with its index.
 */
const queryPaths: [string, Schema, string[]][] = [
  ['conversion list by offer, newest first', conversionSchema, ['offer_id', 'received_at']],
  ['conversion list by affiliate', conversionSchema, ['affiliate_id', 'received_at']],
  ['conversion list by advertiser', conversionSchema, ['advertiser_id', 'received_at']],
  ['conversion list by status', conversionSchema, ['status', 'received_at']],
  ['conversion list / report by time', conversionSchema, ['received_at']],
  ['advertiser receipt by txid', conversionSchema, ['advertiser_id', 'txid']],
  ['per-IP fraud rule', conversionSchema, ['offer_id', 'ip', 'received_at']],
  ['dedupe key', conversionSchema, ['dedupe_key']],
  ['one conversion per click and goal', conversionSchema, ['single_key']],
  ['conversions of a click', conversionSchema, ['click_id']],
  ['search by transaction id alone (any advertiser)', conversionSchema, ['txid']],
  ['search by reason code, newest first', conversionSchema, ['reason_codes', 'received_at']],
  ['ledger lines of a conversion (timeline)', ledgerEntrySchema, ['conversion_id']],
  ['affiliate balance', ledgerEntrySchema, ['affiliate_id', 'account']],
  ['report money by booking time', ledgerEntrySchema, ['created_at']],
  ['report clicks by time', clickSchema, ['created_at']],
  ['deliveries of a conversion', deliverySchema, ['conversion_id']],
  ['deliveries of an event', deliverySchema, ['event_id']],
  ['dead letters of an affiliate', deliverySchema, ['affiliate_id', 'status']],
  ['dead letters across affiliates', deliverySchema, ['status', 'created_at']],
  ['search: conversions with a delivery in a state (affiliate narrows it)', deliverySchema, ['affiliate_id', 'status']],
  ['deliveries of an endpoint', deliverySchema, ['endpoint_id', 'created_at']],
  ['attempts of a delivery', deliveryAttemptSchema, ['delivery_id', 'run', 'attempt']],
  ['overview: attempts by time', deliveryAttemptSchema, ['at']],
  ['overview: dead letters by when', deliverySchema, ['status', 'updated_at']],
  ['overview: counters of a per-affiliate cap window', capCounterSchema, ['offer_id', 'cap_id', 'window']],
  ["endpoint health: an endpoint's latest failure", deliveryAttemptSchema, ['endpoint_id', 'at']],
  ['audit log by action, newest first', auditEntrySchema, ['action', '_id']],
  ['audit log of a target, newest first', auditEntrySchema, ['target_id', '_id']],
  ['endpoints for an event', postbackEndpointSchema, ['affiliate_id', 'active', 'events']],
  ['offers of an advertiser', offerSchema, ['advertiser_id']],
];

describe('indexes', () => {
  it.each(queryPaths)('%s has an index', (_name, schema, fields) => {
    const keys = schema.indexes().map(([spec]) => Object.keys(spec));
    // Unique field options (`unique: true`) are indexes too.
    for (const [path, type] of Object.entries(schema.paths))
      if ((type.options as { unique?: boolean; index?: boolean }).unique || (type.options as { index?: boolean }).index) keys.push([path]);
    expect(keys.some((k) => fields.every((f, i) => k[i] === f))).toBe(true);
  });
});
