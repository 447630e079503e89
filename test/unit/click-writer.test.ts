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

  it('while a write is in flight, later inserts wait and go together as the next one', async () => {
    const calls: number[][] = [];
    const releases: Array<() => void> = [];
    const target: InsertManyTarget<number> = {
      insertMany(docs) {
        calls.push([...docs]);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    };
    const insert = batchedInserter(target);
    const done: number[] = [];
    const first = insert(1).then(() => done.push(1));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    const later = [2, 3].map((n) => insert(n).then(() => done.push(n)));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]); // nothing else is sent before the first write is acknowledged
    releases[0]!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1], [2, 3]]);
    expect(done).toEqual([1]); // 2 and 3 answer only once their own write is acknowledged
    releases[1]!();
    await Promise.all(later);
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  it('a failed write lets the next batch go, and fails only its own inserts', async () => {
    let n = 0;
    const target: InsertManyTarget<number> = {
      async insertMany() {
        n += 1;
        if (n === 1) throw new Error('not primary');
      },
    };
    const insert = batchedInserter(target);
    const first = insert(1);
    await new Promise((r) => setImmediate(r));
    const second = insert(2);
    await expect(first).rejects.toThrow('not primary');
    await expect(second).resolves.toBeUndefined();
  });
});

describe('batchedInserter with a follow-up write per batch (the click and its report roll-up)', () => {
  it('answers each insert only once the follow-up for its batch has finished, and runs it once per batch', async () => {
    const { calls, target } = recorder();
    const followUps: number[][] = [];
    let finishFollowUp!: () => void;
    const insert = batchedInserter(target, 500, 1, (stored) => {
      followUps.push([...stored]);
      return new Promise<void>((resolve) => (finishFollowUp = resolve));
    });
    const done: number[] = [];
    const all = [1, 2, 3].map((n) => insert(n).then(() => done.push(n)));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1, 2, 3]]);
    expect(followUps).toEqual([[1, 2, 3]]);
    expect(done).toEqual([]); // stored, but not counted yet: nobody is answered
    finishFollowUp();
    await Promise.all(all);
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  it('follows up only the documents the insert stored, and none when it failed as a whole', async () => {
    const partial = recorder(() => Object.assign(new Error('E11000'), { writeErrors: [{ index: 1 }] }));
    const followUps: number[][] = [];
    const insert = batchedInserter(partial.target, 500, 1, async (stored) => void followUps.push([...stored]));
    const results = await Promise.allSettled([10, 11, 12].map((n) => insert(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(followUps).toEqual([[10, 12]]);

    const down = recorder(() => new Error('connection refused'));
    const none: number[][] = [];
    const insertDown = batchedInserter(down.target, 500, 1, async (stored) => void none.push([...stored]));
    await Promise.allSettled([1, 2].map((n) => insertDown(n)));
    expect(none).toEqual([]);
  });

  it("fails the batch's requests when the follow-up fails (a click whose event was not recorded is not redirected)", async () => {
    const { calls, target } = recorder();
    const insert = batchedInserter(target, 500, 1, () => Promise.reject(new Error('events: connection refused')));
    const results = await Promise.allSettled([1, 2].map((n) => insert(n)));
    expect(calls).toEqual([[1, 2]]); // stored all the same
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('events: connection refused'));
  });

  it('the next insert goes while the previous batch is still being followed up', async () => {
    const { calls, target } = recorder();
    const releases: Array<() => void> = [];
    const insert = batchedInserter(target, 500, 1, () => new Promise<void>((resolve) => releases.push(resolve)));
    const first = insert(1);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const second = insert(2);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1], [2]]);
    releases.forEach((release) => release());
    await Promise.all([first, second]);
  });
});
