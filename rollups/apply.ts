import { bucketUpdates, type BucketUpdate, type RollupDelta } from '../domain/rollup';
import type { Models } from '../models';

const DUPLICATE_KEY = 11000;

function bucketCollection(models: Models): BucketCollection {
  return models.Rollup.collection as unknown as BucketCollection;
}

type BucketCollection = {
  updateOne(filter: object, update: object, options?: object): Promise<unknown>;
  findOne(filter: object, options?: object): Promise<unknown>;
};

async function addOnce(collection: BucketCollection, u: BucketUpdate, key: string): Promise<void> {
  const update = { ...(Object.keys(u.inc).length > 0 ? { $inc: u.inc } : {}), $setOnInsert: u.fields, $push: { ops: key } };
  for (let attempt = 1; ; attempt++) {
    try {
      await collection.updateOne({ _id: u._id, ops: { $ne: key } }, update, { upsert: true });
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      // Either our key is there (an earlier attempt applied it) or another step created the bucket
      // between our match and our insert: then the bucket exists now and the next try matches it.
      if (await collection.findOne({ _id: u._id, ops: key }, { projection: { _id: 1 } })) return;
      if (attempt >= 3) throw err;
    }
  }
}

/**
 * Adds `deltas` to their buckets exactly once per `key`, with single-document writes only:
 * 1. each bucket gets the deltas and `key` in its `ops`, in one update that matches only while
 *    `key` is not there yet (a retry that finds it adds nothing: the upsert then fails on _id);
 * 2. `markApplied` records on the source document that this key is applied (the caller's own
 *    idempotency gate, e.g. the conversion's status_seq), so later retries skip step 1;
 * 3. `key` leaves `ops` again, keeping the buckets small.
 * A crash before 2 leaves `key` in `ops`, so the retry's step 1 is a no-op; a crash after 2 is
 * skipped by the gate. (Only two attempts running at once, one past 3 while the other has not
 * yet read the gate, could add twice; retries of one step run one after the other.)
 */
export async function applyRollupDeltas(
  models: Models,
  key: string,
  deltas: RollupDelta[],
  markApplied: () => Promise<unknown>,
): Promise<void> {
  const updates = bucketUpdates(deltas);
  await Promise.all(updates.map((u) => addOnce(bucketCollection(models), u, key)));
  await markApplied();
  await Promise.all(updates.map((u) => bucketCollection(models).updateOne({ _id: u._id }, { $pull: { ops: key } })));
}

/**
 * Adds deltas that need no idempotency key (clicks: inserted once, never retried), merged per
 * bucket into one unordered bulk write.
 */
export async function addRollupDeltas(models: Models, deltas: RollupDelta[]): Promise<void> {
  const batch = bucketUpdates(deltas).map((u) => ({
    updateOne: { filter: { _id: u._id }, update: { $inc: u.inc, $setOnInsert: u.fields }, upsert: true },
  }));
  if (batch.length === 0) return;
  const { collection } = models.Rollup;
  if (batch.length === 1) {
    // The usual click batch (one hour, offer and affiliate): a plain update skips the driver's
    // bulk machinery (its command builder and result merging cost more than the update).
    const { filter, update } = batch[0]!.updateOne;
    try {
      await bucketCollection(models).updateOne(filter, update, { upsert: true });
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      await bucketCollection(models).updateOne(filter, update, { upsert: true }); // as below: the bucket exists now
    }
    return;
  }
  try {
    await collection.bulkWrite(batch as never, { ordered: false });
  } catch (err) {
    // Two first upserts of one bucket at once: the loser's bucket exists now, so its $inc applies on a second try.
    const failed = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors ?? [];
    if (failed.length === 0 || failed.some((e) => e.code !== DUPLICATE_KEY)) throw err;
    await collection.bulkWrite(failed.map((e) => batch[e.index]!) as never, { ordered: false });
  }
}
