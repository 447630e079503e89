import { createHash } from 'node:crypto';

/**
 * An event's id, derived from the state change that produced it (never random), so a retried or
 * replayed step records the same event again under the same id and the upsert keeps one. The
 * parts name the change: (conversion, transition seq), (delivery, run), (endpoint, attempt), …
 * Same shape as the postbacks' event ids (activities/delivery-plan.ts): `evt_` and 24 hex digits.
 */
export const eventId = (type: string, ...parts: Array<string | number>): string =>
  `evt_${createHash('sha256')
    .update(JSON.stringify([type, ...parts]))
    .digest('hex')
    .slice(0, 24)}`;
