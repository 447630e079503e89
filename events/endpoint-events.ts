import type { z } from 'zod';
import { endpointPaused, endpointResumed } from './catalogue';
import type { NewEvent } from './envelope';
import { eventId } from './ids';

export interface EndpointForEvents {
  _id: string;
  affiliate_id: string;
  offer_id?: string | null;
}

const base = (e: EndpointForEvents) => ({ endpoint_id: e._id, affiliate_id: e.affiliate_id, offer_id: e.offer_id ?? null });
const scope = (e: EndpointForEvents) => ({ subject: e._id, affiliate_id: e.affiliate_id, ...(e.offer_id ? { offer_id: e.offer_id } : {}) });

/** The breaker paused the endpoint after the attempt `attemptId` failed: one event per pause, id (type, endpoint, attempt). */
export function endpointPausedEvent(e: EndpointForEvents, attemptId: string, failures: number, until: Date, at: Date): NewEvent {
  const data: z.input<typeof endpointPaused.schema> = { ...base(e), consecutive_failures: failures, paused_until: until.toISOString() };
  return {
    id: eventId(endpointPaused.type, e._id, attemptId),
    type: endpointPaused.type,
    schema_version: endpointPaused.version,
    occurred_at: at,
    data,
    ...scope(e),
  };
}

/** The attempt `attemptId` succeeded after a pause and closed the breaker: id (type, endpoint, attempt). */
export function endpointResumedEvent(e: EndpointForEvents, attemptId: string, at: Date): NewEvent {
  const data: z.input<typeof endpointResumed.schema> = base(e);
  return {
    id: eventId(endpointResumed.type, e._id, attemptId),
    type: endpointResumed.type,
    schema_version: endpointResumed.version,
    occurred_at: at,
    data,
    ...scope(e),
  };
}
