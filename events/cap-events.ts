import type { z } from 'zod';
import { offerCapReached, offerCapReset } from './catalogue';
import type { NewEvent } from './envelope';
import { eventId } from './ids';

export interface CounterForEvents {
  _id: string;
  offer_id: string;
  cap_id: string;
  window: string;
  affiliate_id?: string | null;
  metric: string;
  limit: number;
  reserved: number;
}

function capEvent(type: typeof offerCapReached | typeof offerCapReset, c: CounterForEvents, conversionId: string, key: string, at: Date) {
  const data: z.input<typeof offerCapReached.schema> = {
    offer_id: c.offer_id,
    cap_id: c.cap_id,
    window: c.window,
    affiliate_id: c.affiliate_id ?? null,
    metric: c.metric as 'conversions' | 'payout',
    limit: c.limit,
    reserved: c.reserved,
    conversion_id: conversionId,
  };
  return {
    id: eventId(type.type, c._id, key),
    type: type.type,
    schema_version: type.version,
    occurred_at: at,
    data,
    subject: c._id,
    offer_id: c.offer_id,
    ...(c.affiliate_id ? { affiliate_id: c.affiliate_id } : {}),
  } satisfies NewEvent;
}

/**
 * The cap filled: `conversionId`'s reservation took its last place (id: counter and conversion);
 * or, `refused`, a payout cap refused a payout that did not fit (id: counter and the total refused
 * at, so repeated refusals at one total are one event).
 */
export const capReachedEvent = (c: CounterForEvents, conversionId: string, at: Date, refused = false): NewEvent =>
  capEvent(offerCapReached, c, conversionId, refused ? `refused@${c.reserved}` : conversionId, at);

/** A full cap got room back: `conversionId` released its place (id: counter and conversion). `c` is the counter after the release. */
export const capResetEvent = (c: CounterForEvents, conversionId: string, at: Date): NewEvent =>
  capEvent(offerCapReset, c, conversionId, `released:${conversionId}`, at);
