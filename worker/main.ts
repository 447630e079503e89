import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { connectMongo } from '../models/connect';
import { createModels, ensureIndexes } from '../models';
import { ensureSearchAttributes } from '../temporal/ensure-search-attributes';
import { createWorkers, deliverySettingsFrom } from './worker';

/** Worker process: connects MongoDB and Temporal, runs until SIGINT/SIGTERM, then drains. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as LogLevel) });
  const mongo = await connectMongo(config.MONGO_URL);
  const models = createModels(mongo);
  await ensureIndexes(models);

  const client = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5 seconds' });
  const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) console.log(`registered search attributes: ${added.join(', ')}`);
  await client.close();

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workers = await createWorkers({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    deps: { models, now: () => new Date(), delivery: deliverySettingsFrom(config) },
  });
  console.log(`worker polling task queues ${workers.workers.map((w) => `"${w.options.taskQueue}"`).join(' and ')} in namespace "${config.TEMPORAL_NAMESPACE}"`);
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): in-flight tasks finish first.
  await workers.run();
  await connection.close();
  await mongo.close();
  console.log('worker stopped');
}

main().catch((err: unknown) => {
  console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
