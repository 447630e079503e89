import type { Models } from '../../models';
import type { ConversionFilters } from '../schemas/conversion-search';

/**
 * The conversion a workflow id names: `conversion-<id>`, a late status change's
 * `conversion-<id>-late-<status>`, or a delivery's `delivery-<delivery id>` (resolved through the
 * delivery). Parsed rather than looked up, so no index on workflow_id is needed.
 */
function fromWorkflowId(q: string): { conversionId?: string; deliveryId?: string } {
  const conversion = /^conversion-([A-Za-z0-9_]+)(?:-late-[a-z]+)?$/.exec(q);
  if (conversion) return { conversionId: conversion[1] };
  const delivery = /^delivery-(.+)$/.exec(q);
  return delivery ? { deliveryId: delivery[1] } : {};
}

/**
 * Every conversion that has `q` as one of its ids. Each branch is an exact match on an indexed
 * field (conversions: _id, click_id, txid; deliveries: _id, event_id), so one lookup costs a few
 * index probes however large the collections are.
 */
export async function conversionIdsFor(models: Models, q: string): Promise<string[]> {
  const wf = fromWorkflowId(q);
  const conversionIds = [q, ...(wf.conversionId ? [wf.conversionId] : [])];
  const deliveryIds = [q, ...(wf.deliveryId ? [wf.deliveryId] : [])];
  const [conversions, deliveries] = await Promise.all([
    models.Conversion.find({ $or: [{ _id: { $in: conversionIds } }, { click_id: q }, { txid: q }] }, { _id: 1 }).lean(),
    models.Delivery.find({ $or: [{ _id: { $in: deliveryIds } }, { event_id: q }] }, { conversion_id: 1 }).lean(),
  ]);
  return [...new Set([...conversions.map((c) => String(c._id)), ...deliveries.map((d) => d.conversion_id)])];
}

/**
 * The conversions with a delivery now in `state`, read from the deliveries' status index (narrowed
 * by the affiliate, offer and time filters where given: a delivery is created after its
 * conversion was received). Streamed, so no result-size limit applies; the states ops filter by
 * (failed, dead-lettered, pending) are the rare ones.
 */
async function conversionsWithDeliveryState(models: Models, f: ConversionFilters): Promise<Set<string>> {
  const filter: Record<string, unknown> = { status: f.delivery_state };
  if (f.affiliate_id) filter.affiliate_id = f.affiliate_id;
  if (f.offer_id) filter.offer_id = f.offer_id;
  if (f.from) filter.created_at = { $gte: new Date(f.from) };
  const ids = new Set<string>();
  for await (const d of models.Delivery.find(filter, { conversion_id: 1 }).lean().cursor()) ids.add(d.conversion_id as string);
  return ids;
}

/** The filters as one MongoDB query on conversions (without the keyset position). */
export async function conversionQuery(models: Models, f: ConversionFilters): Promise<Record<string, unknown>> {
  const query: Record<string, unknown> = {};
  for (const field of ['offer_id', 'affiliate_id', 'advertiser_id', 'status', 'goal'] as const) if (f[field]) query[field] = f[field];
  if (f.reason_code) query.reason_codes = f.reason_code;
  if (f.test) query.test = f.test === 'true' ? true : { $ne: true };
  if (f.from || f.to) query.received_at = { ...(f.from ? { $gte: new Date(f.from) } : {}), ...(f.to ? { $lt: new Date(f.to) } : {}) };

  let ids: Set<string> | undefined;
  if (f.q !== undefined) ids = new Set(await conversionIdsFor(models, f.q));
  if (f.delivery_state) {
    const withState = await conversionsWithDeliveryState(models, f);
    ids = ids ? new Set([...ids].filter((id) => withState.has(id))) : withState;
  }
  if (ids) query._id = { $in: [...ids] };
  return query;
}
