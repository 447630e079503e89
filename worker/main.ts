import path from 'node:path';
import { loadConfigOrExit } from '../config';
import { createLogger, type Logger } from '../observability/logger';
import { installWorkerRuntime } from '../observability/worker-runtime';
import { startSystem } from '../system/start';
import { verifiedBundle } from './workflow-bundle';

let logger: Logger | undefined;

/** Worker process: connects MongoDB and Temporal, runs until SIGINT/SIGTERM, then drains. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = (logger = createLogger({ level: config.log.level, service: 'worker' }));
  // Start-up and shutdown lines are written whatever LOG_LEVEL says: scripts wait for them.
  const lifecycle = log.child({}, { level: 'info' });
  // Checked before anything listens or connects, so a missing or stale bundle stops the start with one clear line.
  const bundle = verifiedBundle(path.resolve(config.worker.workflowBundle));
  lifecycle.info(
    { workflow_bundle: bundle.codePath, built_at: bundle.manifest.builtAt, sources_hash: bundle.manifest.sourcesHash },
    bundle.sourcesChecked
      ? `workflow bundle ${bundle.codePath} matches the workflow sources`
      : `workflow bundle ${bundle.codePath} (no workflow sources here to check it against)`,
  );
  const { metricsAddress } = config.worker;
  try {
    installWorkerRuntime({ logger: log, level: config.log.level, metricsAddress });
  } catch (err) {
    throw new Error(`WORKER_METRICS_ADDRESS ${metricsAddress}: ${(err as Error).message} (set another ip:port, or off)`);
  }
  if (metricsAddress)
    lifecycle.info(
      { address: metricsAddress },
      metricsAddress.endsWith(':0')
        ? 'worker metrics on a free port (WORKER_METRICS_ADDRESS port 0)'
        : `worker metrics on http://${metricsAddress}/metrics`,
    );
  // The SDK's runtime (installed above) takes SIGINT/SIGTERM to drain running workers; with none
  // running yet it does nothing, so a worker waiting for MongoDB or Temporal could not be stopped
  // (an orchestrator would wait out its grace period and SIGKILL it). Until the workers run,
  // nothing is in flight: a signal ends the process at once.
  const stopBeforeStart = (signal: NodeJS.Signals) => {
    lifecycle.info({ signal }, `worker: ${signal} before start-up finished; worker stopped`);
    process.exit(0);
  };
  process.once('SIGINT', stopBeforeStart);
  process.once('SIGTERM', stopBeforeStart);
  const system = await startSystem(config, {
    lifecycle,
    registerSearchAttributes: true,
    workers: { workflowBundle: { codePath: bundle.codePath } },
  });
  process.off('SIGINT', stopBeforeStart);
  process.off('SIGTERM', stopBeforeStart);
  const { namespace } = config.temporal;
  const queues = system.workers.workers.map((w) => w.options.taskQueue);
  lifecycle.info(
    { task_queues: queues, namespace },
    `worker polling task queues ${queues.map((q) => `"${q}"`).join(' and ')} in namespace "${namespace}"`,
  );
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): in-flight tasks finish first.
  await system.workersStopped;
  await system.stop();
  lifecycle.info('worker stopped');
}

main().catch((err: unknown) => {
  const message = `worker: ${err instanceof Error ? err.message : String(err)}`;
  if (logger) logger.fatal({ err }, message);
  else console.error(message);
  process.exit(1);
});
