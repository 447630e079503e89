import { batchedInserter, type InsertManyTarget } from '../../api/click-writer';

/** A stand-in collection that records each insertMany call (pure unit test: no database). */
function recorder(fail?: (docs: number[]) => unknown) {
  const calls: number[][] = [];
  const target: InsertManyTarget<number> = {
    async insertMany(docs) {
      calls.push([...docs]);
      const err = fail?.(docs);
      if (err) throw err;
    },
  };
  return { calls, target };
}

describe('batchedInserter (group commit for clicks)', () => {
  it('writes the inserts of one event-loop turn as one insertMany, and resolves each after it', async () => {
    const { calls, target } = recorder();
    const insert = batchedInserter(target);
    const done: number[] = [];
    const all = [1, 2, 3].map((n) => insert(n).then(() => done.push(n)));
    expect(calls).toEqual([]); // nothing is acknowledged before the write
    await Promise.all(all);
    expect(calls).toEqual([[1, 2, 3]]);
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  it('splits a large turn into batches of at most maxBatch', async () => {
    const { calls, target } = recorder();
    const insert = batchedInserter(target, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => insert(n)));
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('a later turn starts a new batch', async () => {
    const { calls, target } = recorder();
    const insert = batchedInserter(target);
    await insert(1);
    await insert(2);
    expect(calls).toEqual([[1], [2]]);
  });

  it('fails only the documents the unordered insert reports, and all of them on any other error', async () => {
    const partial = recorder(() => Object.assign(new Error('E11000'), { writeErrors: [{ index: 1 }] }));
    const insert = batchedInserter(partial.target);
    const results = await Promise.allSettled([10, 11, 12].map((n) => insert(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);

    const down = recorder(() => new Error('connection refused'));
    const insertDown = batchedInserter(down.target);
    const failed = await Promise.allSettled([1, 2].map((n) => insertDown(n)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
