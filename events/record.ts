import type { Models } from '../models';
import { onlyDuplicateKeys } from '../models/write-errors';
import type { NewEvent } from './envelope';
import { deleteExpiredEventData } from './retention';

/** How often (by the writer's clock) one process deletes the events past their retention. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;
/** The default retention (EVENTS_RETENTION_DAYS): the worker passes the configured one. */
export const DEFAULT_EVENTS_RETENTION_MS = 90 * 24 * 3600 * 1000;

export interface EventRecorderOptions {
  models: Models;
  now: () => Date;
  retentionMs?: number;
}

export type RecordEvents = (events: readonly NewEvent[]) => Promise<void>;

/** One sweep clock per database per process, however many step factories record into it. */
const lastSweeps = new WeakMap<Models, number>();

/**
 * What a step calls to record the events of the state change it makes, in the same step, after
 * the change is written: one MongoDB command for all of them (an unordered bulk of upserts).
 *
 * Idempotent: each event is an upsert by its deterministic id with every field $setOnInsert, so a
 * retried or crashed-and-rerun step writes each event once. The database stamps `recorded_at`
 * (the order the sequencer positions waiting events in; a retry stamps again, which only moves a
 * not yet positioned event later in that queue) and `rank` keeps one step's events in the order
 * given when their stamps tie.
 *
 * Retention is kept like the ingress log's: driven by the writes, at most every 10 minutes per
 * process, the events and subscription records older than the retention are deleted
 * (events/retention.ts; idempotent: processes racing agree).
 */
export function eventRecorder({ models, now, retentionMs = DEFAULT_EVENTS_RETENTION_MS }: EventRecorderOptions): RecordEvents {
  const sweep = async () => {
    const at = now().getTime();
    if (at - (lastSweeps.get(models) ?? -Infinity) < SWEEP_EVERY_MS) return;
    lastSweeps.set(models, at);
    await deleteExpiredEventData(models, new Date(at - retentionMs));
  };

  return async (events) => {
    if (events.length === 0) return;
    const ops = events.map((e, rank) => ({
      updateOne: {
        filter: { _id: e.id },
        update: {
          $setOnInsert: {
            type: e.type,
            schema_version: e.schema_version,
            occurred_at: e.occurred_at,
            data: e.data,
            subject: e.subject,
            ...(e.offer_id ? { offer_id: e.offer_id } : {}),
            ...(e.affiliate_id ? { affiliate_id: e.affiliate_id } : {}),
            ...(e.advertiser_id ? { advertiser_id: e.advertiser_id } : {}),
            ...(e.test ? { test: true } : {}),
            unpositioned: true,
            rank,
          },
          $currentDate: { recorded_at: true as const },
        },
        upsert: true,
      },
    }));
    try {
      await models.Event.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Two attempts of one step racing: the other inserted it first, which is all we need. Any
      // other failure (the server gone mid-command) fails the step, which is retried.
      if (!onlyDuplicateKeys(err)) throw err;
    }
    await sweep();
  };
}
