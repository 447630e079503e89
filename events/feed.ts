import type { Models } from '../models';
import type { EventEnvelope, StoredEvent } from './envelope';
import { sequenceEvents } from './sequence';

export interface EventPage {
  /** Events after the cursor in feed order; each is an EventEnvelope with its subject and position. */
  events: StoredEvent[];
  /** Where the next read starts (opaque): after the last event here, or after every settled event when the page was not full. */
  next: string;
}

export interface ReadOptions {
  /** Only these types (exact names); all when absent. */
  types?: string[];
  limit: number;
}

export interface EventFeed {
  /**
   * The events after `cursor` (from the start when undefined) in the feed's one total order, which
   * never changes: paging on with `next` from any cursor sees every event once, in that order,
   * however the writes committed (events/sequence.ts). Throws InvalidCursorError for a cursor this
   * feed did not give.
   */
  readEventsAfter(cursor: string | undefined, opts: ReadOptions): Promise<EventPage>;
  /** The cursor after every event settled so far: where a reader that wants only what comes next starts. */
  head(): Promise<string>;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`"${cursor}" is not a cursor of the event feed`);
  }
}

/**
 * A cursor is the position of the last event considered, in decimal ("0" is the start). Consumers
 * treat it as opaque; the pattern is published so a malformed one is refused at the edge.
 */
export const cursorPattern = '^(0|[1-9][0-9]{0,15})$';
const cursorRe = new RegExp(cursorPattern);
export const formatCursor = (position: number): string => String(position);
export function parseCursor(cursor: string): number {
  if (!cursorRe.test(cursor)) throw new InvalidCursorError(cursor);
  return Number(cursor);
}

type EventDoc = Omit<StoredEvent, 'id' | 'occurred_at'> & { _id: string; occurred_at: Date };

export const toEnvelope = (d: EventDoc): StoredEvent => ({
  id: d._id,
  type: d.type,
  occurred_at: d.occurred_at.toISOString(),
  schema_version: d.schema_version,
  data: d.data,
  subject: d.subject,
  ...(d.offer_id ? { offer_id: d.offer_id } : {}),
  ...(d.affiliate_id ? { affiliate_id: d.affiliate_id } : {}),
  ...(d.advertiser_id ? { advertiser_id: d.advertiser_id } : {}),
  ...(d.test ? { test: true } : {}),
  position: d.position,
});

/** Only the envelope's own fields: what a consumer outside postflow is handed. */
export const envelopeOf = (e: StoredEvent): EventEnvelope => ({
  id: e.id,
  type: e.type,
  occurred_at: e.occurred_at,
  schema_version: e.schema_version,
  data: e.data,
});

const fields = {
  _id: 1,
  type: 1,
  occurred_at: 1,
  schema_version: 1,
  data: 1,
  subject: 1,
  offer_id: 1,
  affiliate_id: 1,
  advertiser_id: 1,
  test: 1,
  position: 1,
};

/**
 * The pull feed over the event records. Each read first lets the sequencer position what was
 * recorded since (cheap when nothing was: two small reads), then reads by position up to the
 * settled horizon. Any number of readers in any number of processes share the one order.
 */
export function eventFeed(models: Models): EventFeed {
  return {
    async readEventsAfter(cursor, { types, limit }) {
      const after = cursor === undefined ? 0 : parseCursor(cursor);
      const settled = await sequenceEvents(models);
      const filter = {
        position: { $gt: after, $lte: settled },
        ...(types && types.length > 0 ? { type: { $in: types } } : {}),
      };
      const docs = await models.Event.find(filter, fields).sort({ position: 1 }).limit(limit).lean<EventDoc[]>();
      // A short page read everything up to the horizon: the next read starts there, past the other types too.
      const next = docs.length === limit ? docs.at(-1)!.position : Math.max(after, settled);
      return { events: docs.map(toEnvelope), next: formatCursor(next) };
    },
    async head() {
      return formatCursor(await sequenceEvents(models));
    },
  };
}
