import type { Connection } from 'mongoose';
import { createModels, ensureIndexes, type Models } from '../models';
import { connectMongo } from '../models/connect';
import { connectProcessMongo } from '../models/process-connection';
import type { Logger } from '../observability/logger';
import { ensureRollupState } from '../rollups/state';

export interface Store {
  connection: Connection;
  models: Models;
  close(): Promise<void>;
}

/**
 * MongoDB → models → indexes, the first step of the wiring (system/start.ts), also taken alone by
 * harnesses that only read what the processes they started stored.
 */
export async function openStore(url: string, opts: { lifecycle?: Logger; logDriverEvents?: boolean } = {}): Promise<Store> {
  // A long-running process waits for MongoDB and watches its client; a harness fails fast.
  const mongo = opts.lifecycle
    ? await connectProcessMongo({ url, log: opts.lifecycle, verboseDriverEvents: opts.logDriverEvents ?? false })
    : await connectMongo(url).then((connection) => ({ connection, close: () => connection.close() }));
  try {
    const models = createModels(mongo.connection);
    // Before any traffic: unique indexes are what make retried and concurrent writes idempotent.
    await ensureIndexes(models);
    if (!(await ensureRollupState(models)))
      opts.lifecycle?.warn(
        'report roll-ups not built for the rows already stored: reports read the raw rows until `npm run rollups:rebuild` runs',
      );
    return { connection: mongo.connection, models, close: () => mongo.close() };
  } catch (err) {
    await mongo.close().catch(() => undefined);
    throw err;
  }
}
