/** The one collection method the writer needs (the driver's Collection.insertMany). */
export interface InsertManyTarget<T> {
  insertMany(docs: T[], options: { ordered: false }): Promise<unknown>;
}

function resolveAll(batch: { resolve: () => void }[]): void {
  for (const p of batch) p.resolve();
}

interface Pending<T> {
  doc: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for clicks: inserts go to MongoDB as unordered insertManys, at most `maxInFlight`
 * at a time; what arrives while they are in flight waits and goes as the next one. Each request
 * still waits for its own document to be written before it answers (a click id handed out but
 * not stored would lose the conversion later). Alone, a click waits for nothing but its insert;
 * under load the batch grows with the store's latency, so one durable commit carries many clicks
 * instead of each command paying its own (on the embedded store a commit costs far more than a
 * document).
 *
 * `afterWrite` runs once per batch on the documents it stored (the click's report roll-up, its
 * event), and their requests answer only once it has finished: one follow-up write per batch
 * instead of one promise, queue and write per document. If it rejects, those requests fail
 * with its error (their documents stay stored). The next insert does not wait for it.
 */
export function batchedInserter<T>(
  target: InsertManyTarget<T>,
  maxBatch = 500,
  maxInFlight = 1,
  afterWrite?: (stored: T[]) => Promise<void>,
): (doc: T) => Promise<void> {
  let queue: Pending<T>[] = [];
  let scheduled = false;
  let inFlight = 0;

  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight += 1;
      void write(batch).finally(() => {
        inFlight -= 1;
        flush();
      });
    }
  };

  const write = async (batch: Pending<T>[]) => {
    const docs = batch.map((p) => p.doc);
    let stored = batch;
    try {
      await target.insertMany(docs, { ordered: false });
    } catch (err) {
      // Unordered: the documents not named in writeErrors were written; only the others fail.
      const failed = new Set<number>();
      for (const e of (err as { writeErrors?: { index: number }[] }).writeErrors ?? []) failed.add(e.index);
      stored = failed.size === 0 ? [] : batch.filter((_, i) => !failed.has(i));
      batch.forEach((p, i) => (failed.size === 0 || failed.has(i) ? p.reject(err) : undefined));
    }
    if (stored.length === 0) return;
    // The slot is free once the insert is acknowledged: the next batch goes while this one's follow-up runs.
    if (!afterWrite) return resolveAll(stored);
    void afterWrite(stored === batch ? docs : stored.map((p) => p.doc)).then(
      () => resolveAll(stored),
      (err: unknown) => stored.forEach((p) => p.reject(err)),
    );
  };

  return (doc: T) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ doc, resolve, reject });
      if (!scheduled && inFlight < maxInFlight) {
        scheduled = true;
        setImmediate(flush); // the rest of this turn's clicks join the batch
      }
    });
}
