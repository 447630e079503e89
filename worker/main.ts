import { Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit, workerMetricsAddress } from '../config';
import { connectProcessMongo } from '../models/process-connection';
import { createModels, ensureIndexes } from '../models';
import { createLogger, type Logger } from '../observability/logger';
import { parseSocketAddress } from '../observability/socket-address';
import { PinoTemporalLogger } from '../observability/temporal-logger';
import { installWorkerRuntime } from '../observability/worker-runtime';
import { temporalWaitLog, untilReachable } from '../temporal/connect';
import { ensureSearchAttributes } from '../temporal/ensure-search-attributes';
import { createWorkers, deliverySettingsFrom, workflowsPath } from './worker';

let logger: Logger | undefined;

/** Worker process: connects MongoDB and Temporal, runs until SIGINT/SIGTERM, then drains. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = (logger = createLogger({ level: config.LOG_LEVEL, service: 'worker' }));
  // Start-up and shutdown lines are written whatever LOG_LEVEL says: scripts wait for them.
  const lifecycle = log.child({}, { level: 'info' });
  const metricsSpec = workerMetricsAddress(config);
  const metricsAddress = parseSocketAddress(metricsSpec);
  try {
    installWorkerRuntime({ logger: log, level: config.LOG_LEVEL, metricsAddress });
  } catch (err) {
    throw new Error(`WORKER_METRICS_ADDRESS ${metricsSpec}: ${(err as Error).message} (set another ip:port, or off)`);
  }
  if (metricsAddress)
    lifecycle.info(
      { address: metricsAddress },
      metricsAddress.endsWith(':0')
        ? 'worker metrics on a free port (WORKER_METRICS_ADDRESS port 0)'
        : `worker metrics on http://${metricsAddress}/metrics`,
    );
  const mongo = await connectProcessMongo({
    url: config.MONGO_URL,
    log: lifecycle,
    verboseDriverEvents: config.LOG_MONGO_DRIVER_EVENTS,
  });
  const models = createModels(mongo.connection);
  await ensureIndexes(models);

  const waitForTemporal = temporalWaitLog(lifecycle, config.TEMPORAL_ADDRESS);
  const client = await untilReachable(
    () => Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5 seconds' }),
    waitForTemporal,
  );
  const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) lifecycle.info({ added }, `registered search attributes: ${added.join(', ')}`);
  await client.close();

  // Bundled here rather than in createWorkers so that webpack's lines go to our logger too (as debug).
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: new PinoTemporalLogger(log, { infoAs: 'debug' }),
  });
  const connection = await untilReachable(() => NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }), waitForTemporal);
  const workers = await createWorkers({
    workflowBundle: { code },
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    deps: { models, now: () => new Date(), delivery: deliverySettingsFrom(config) },
  });
  const queues = workers.workers.map((w) => w.options.taskQueue);
  lifecycle.info(
    { task_queues: queues, namespace: config.TEMPORAL_NAMESPACE },
    `worker polling task queues ${queues.map((q) => `"${q}"`).join(' and ')} in namespace "${config.TEMPORAL_NAMESPACE}"`,
  );
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): in-flight tasks finish first.
  await workers.run();
  await connection.close();
  await mongo.close();
  lifecycle.info('worker stopped');
}

main().catch((err: unknown) => {
  const message = `worker: ${err instanceof Error ? err.message : String(err)}`;
  if (logger) logger.fatal({ err }, message);
  else console.error(message);
  process.exit(1);
});
