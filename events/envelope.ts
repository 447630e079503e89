/**
 * What a consumer of events sees (the pull feed's items, a subscription's request body): the same
 * envelope whichever way it travels, so a puller and a pushed-to receiver dedupe on the same id.
 */
export interface EventEnvelope {
  /** Stable across retries, replays and redeliveries: derived from the state change (events/ids.ts). */
  id: string;
  /** A name from the catalogue (events/catalogue.ts), `<group>.<event>`. */
  type: string;
  /** ISO instant of the state change, as the step that made it saw it (kept from its first attempt). */
  occurred_at: string;
  /** The version of `data`'s schema for this type; a breaking change to a type bumps it. */
  schema_version: number;
  data: Record<string, unknown>;
}

/**
 * Who an event is about, stored beside it (not in the envelope): the subscriptions' scopes and
 * filters, and the console, select on these without reading `data`.
 */
export interface EventSubject {
  /** The ordering key: events of one subject (a conversion, an endpoint, a cap window) keep their order. */
  subject: string;
  offer_id?: string;
  affiliate_id?: string;
  advertiser_id?: string;
  /** An event of a test conversion (README "Test postbacks"). */
  test?: boolean;
}

/** An event as a step hands it to events/record.ts. */
export interface NewEvent extends EventSubject {
  id: string;
  type: string;
  schema_version: number;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** An event as the feed reads it back: the envelope, its subject, and its place in the feed. */
export interface StoredEvent extends EventEnvelope, EventSubject {
  /** Its position in the feed's total order (1, 2, 3 …; events/sequence.ts). */
  position: number;
}
