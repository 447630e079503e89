/**
 * The baseline's worker process, configured like postflow's (worker/main.ts): the same
 * environment variables and config parsing, the same Temporal runtime (JSON logger, Prometheus
 * exporter), one NativeConnection, Worker.create with the SDK's defaults. It serves only the
 * baseline workflows (bench/baseline/workflows.ts, bundled here) on TASK_QUEUE, until SIGINT/SIGTERM.
 */
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadConfigOrExit } from '../../config';
import { createLogger } from '../../observability/logger';
import { installWorkerRuntime } from '../../observability/worker-runtime';
import { createBaselineActivities } from './activities';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.log.level, service: 'baseline-worker' });
  const lifecycle = log.child({}, { level: 'info' });
  installWorkerRuntime({
    logger: log,
    level: config.log.level,
    metricsAddress: config.worker.metricsAddress,
  });
  const workflowBundle = {
    code: (await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: bundlerLogger(log) })).code,
  };
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createBaselineActivities(),
    workflowBundle,
  });
  lifecycle.info(`baseline worker polling task queue "${config.temporal.taskQueue}" in namespace "${config.temporal.namespace}"`);
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
