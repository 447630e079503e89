/** The one collection method the writer needs (the driver's Collection.insertMany). */
export interface InsertManyTarget<T> {
  insertMany(docs: T[], options: { ordered: false }): Promise<unknown>;
}

interface Pending<T> {
  doc: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for clicks: the inserts that arrive in one turn of the event loop go to MongoDB
 * as one unordered insertMany, and each request still waits for its own document to be written
 * before it answers (a click id handed out but not stored would lose the conversion later).
 * Under load one command carries many clicks; alone, a click waits for nothing but its insert.
 */
export function batchedInserter<T>(target: InsertManyTarget<T>, maxBatch = 500): (doc: T) => Promise<void> {
  let queue: Pending<T>[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += maxBatch) void write(batch.slice(i, i + maxBatch));
  };

  const write = async (batch: Pending<T>[]) => {
    try {
      await target.insertMany(
        batch.map((p) => p.doc),
        { ordered: false },
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      // Unordered: the documents not named in writeErrors were written; only the others fail.
      const failed = new Map<number, unknown>();
      for (const e of (err as { writeErrors?: { index: number }[] }).writeErrors ?? []) failed.set(e.index, e);
      batch.forEach((p, i) => (failed.size === 0 || failed.has(i) ? p.reject(err) : p.resolve()));
    }
  };

  return (doc: T) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ doc, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
