import { eventRecorder } from '../../events/record';
import type { Models } from '../../models';
import { onlyDuplicateKeys } from '../../models/write-errors';

/**
 * A bulk write that failed as a whole (the server went away mid-command) carries an empty
 * writeErrors list. Taking that for "every entry was a duplicate" once made the event recorder
 * report events as recorded that never were (the fault suite's MongoDB scenarios found it).
 */
describe('onlyDuplicateKeys', () => {
  it.each([
    ['a single duplicate key', { code: 11000 }, true],
    ['a bulk write whose every entry is a duplicate', { writeErrors: [{ code: 11000 }, { err: { code: 11000 } }] }, true],
    ['a bulk write that failed as a whole (no entries)', { writeErrors: [], message: 'connect ECONNREFUSED' }, false],
    ['a bulk write with another error among duplicates', { writeErrors: [{ code: 11000 }, { code: 121 }] }, false],
    ['a network error', { name: 'MongoNetworkError' }, false],
  ])('%s: %p', (_what, err, expected) => {
    expect(onlyDuplicateKeys(err)).toBe(expected);
  });
});

/** The collections the recorder's retention sweep deletes from (events/retention.ts), doing nothing. */
const swept = Object.fromEntries(
  ['SubscriptionDelivery', 'SubscriptionAttempt', 'SubscriptionClaim'].map((name) => [name, { deleteMany: () => Promise.resolve() }]),
);

it('the event recorder fails its step when the bulk write failed as a whole', async () => {
  const whole = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoBulkWriteError', writeErrors: [] });
  const models = { ...swept, Event: { bulkWrite: () => Promise.reject(whole), deleteMany: () => Promise.resolve() } } as unknown as Models;
  const record = eventRecorder({ models, now: () => new Date() });
  const event = { id: 'evt_1', type: 'conversion.created', schema_version: 1, occurred_at: new Date(), data: {}, subject: 'cv_1' };
  await expect(record([event])).rejects.toBe(whole);
  // …while a retry that finds its events recorded by an earlier attempt succeeds.
  const duplicates = Object.assign(new Error('E11000'), { writeErrors: [{ code: 11000 }] });
  const again = eventRecorder({
    models: { ...swept, Event: { bulkWrite: () => Promise.reject(duplicates), deleteMany: () => Promise.resolve() } } as unknown as Models,
    now: () => new Date(),
  });
  await expect(again([event])).resolves.toBeUndefined();
});
