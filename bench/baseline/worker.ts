/**
 * The baseline's worker process, configured like postflow's (worker/main.ts): the same
 * environment variables and config parsing, the same Temporal runtime (JSON logger, Prometheus
 * exporter), one NativeConnection, Worker.create with the SDK's defaults. It serves only the
 * baseline workflows (bench/baseline/workflows.ts, bundled here) on TASK_QUEUE, until SIGINT/SIGTERM.
 */
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadConfigOrExit, workerMetricsAddress } from '../../config';
import { createLogger } from '../../observability/logger';
import { parseSocketAddress } from '../../observability/socket-address';
import { installWorkerRuntime } from '../../observability/worker-runtime';
import { createBaselineActivities } from './activities';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.LOG_LEVEL, service: 'baseline-worker' });
  const lifecycle = log.child({}, { level: 'info' });
  installWorkerRuntime({
    logger: log,
    level: config.LOG_LEVEL,
    metricsAddress: parseSocketAddress(workerMetricsAddress(config)),
  });
  const workflowBundle = {
    code: (await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: bundlerLogger(log) })).code,
  };
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    activities: createBaselineActivities(),
    workflowBundle,
  });
  lifecycle.info(`baseline worker polling task queue "${config.TASK_QUEUE}" in namespace "${config.TEMPORAL_NAMESPACE}"`);
  await worker.run();
  await connection.close();
  lifecycle.info('baseline worker stopped');
}

// webpack's progress lines are noise in the log; its warnings and errors are not.
function bundlerLogger(log: ReturnType<typeof createLogger>) {
  const none = () => undefined;
  return {
    log: none,
    trace: none,
    debug: none,
    info: none,
    warn: (m: string) => log.warn(m),
    error: (m: string) => log.error(m),
  };
}

main().catch((err: unknown) => {
  console.error(`baseline worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
